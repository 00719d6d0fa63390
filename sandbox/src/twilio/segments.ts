const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';

/**
 * How many SMS segments a body takes: GSM-7 (160 characters, 153 per part when split; extension
 * characters count twice) or, with any other character, UCS-2 (70, 67 per part).
 */
export function segmentCount(body: string): number {
  let gsmLength = 0;
  for (const char of body) {
    if (GSM_BASIC.includes(char)) gsmLength += 1;
    else if (GSM_EXTENDED.includes(char)) gsmLength += 2;
    else return parts(body.length, 70, 67);
  }
  return parts(gsmLength, 160, 153);
}

function parts(length: number, single: number, perPart: number): number {
  return length <= single ? 1 : Math.ceil(length / perPart);
}
