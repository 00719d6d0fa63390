import type { JsonObject } from '../core/json.js';
import type { Template } from './recipe.js';

/**
 * Descriptors: prompts and resources declared in files beside the recipes, deployed in the same
 * release. Each file declares one, by its top-level key (`prompt:`, `resource:` or
 * `resource_template:`); `schema/descriptor.schema.json` publishes their shape.
 *
 * - A prompt is a list of messages whose templates see the prompt's arguments as `input` and, when a
 *   recipe backs it, the recipe's result as `data`.
 * - A resource is static text or base64 data at a fixed URI.
 * - A resource template is a URI template (RFC 6570 level 1, plus `{+var}`) backed by a recipe: reading
 *   a matching URI runs the recipe as a durable call with the URI's variables as arguments, and its
 *   `text` (or `blob`) template, which sees `input` (the variables) and `data` (the recipe's result),
 *   becomes the content.
 */
export type Descriptor = PromptDescriptor | ResourceDescriptor | ResourceTemplateDescriptor;

export interface PromptDescriptor {
  kind: 'prompt';
  name: string;
  title: string | null;
  description: string | null;
  arguments: PromptArgument[];
  /** `{role, content}` messages; strings may hold `${ ... }` reading `input.<argument>` (and `data`). */
  messages: Template;
  /**
   * A recipe (by tool name) run as a durable call with the arguments before the messages are built;
   * its result is `data`. It may ask the client for input: prompts/get then answers an
   * InputRequiredResult (2026-07-28). Null for a prompt of messages alone.
   */
  recipe: string | null;
}

export interface PromptArgument {
  name: string;
  description: string | null;
  required: boolean;
  /** Known values, offered by completion/complete. */
  values: string[];
}

interface ResourceCommon {
  name: string;
  title: string | null;
  description: string | null;
  mimeType: string | null;
  /** The content as text (a template), or null when `blob` is given. */
  text: Template | null;
  /** The content as base64 data (a template), or null. */
  blob: Template | null;
}

export interface ResourceDescriptor extends ResourceCommon {
  kind: 'resource';
  uri: string;
}

export interface ResourceTemplateDescriptor extends ResourceCommon {
  kind: 'resource_template';
  uriTemplate: string;
  /** The recipe (by tool name) that a read runs; null for a template of constant content. */
  recipe: string | null;
  /** The template's variable names, in order. */
  variables: string[];
}

/** The release key of a descriptor (tools' names hold no ":", so keys never meet a tool's). */
export function descriptorKey(descriptor: Descriptor): string {
  switch (descriptor.kind) {
    case 'prompt':
      return `prompt:${descriptor.name}`;
    case 'resource':
      return `resource:${descriptor.uri}`;
    case 'resource_template':
      return `resource_template:${descriptor.uriTemplate}`;
  }
}

/** The top-level keys that make a file a descriptor rather than a recipe. */
export const DESCRIPTOR_KINDS = ['prompt', 'resource', 'resource_template'] as const;

/** A descriptor file as the schema guarantees it. */
export interface DescriptorDocument {
  prompt?: string;
  resource?: string;
  resource_template?: string;
  name?: string;
  title?: string;
  description?: string;
  mime_type?: string;
  arguments?: { name: string; description?: string; required?: boolean; values?: string[] }[];
  messages?: JsonObject[];
  text?: string;
  blob?: string;
  recipe?: string;
}
