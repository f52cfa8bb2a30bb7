/**
 * How many SMS segments a text costs: GSM 03.38 (160 characters alone, 153 a part; the
 * extension table's characters count twice) when every character is in it, else UCS-2 (70
 * alone, 67 a part). One character outside GSM — a „ or a – — makes the whole text UCS-2.
 */
const GSM_BASIC = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '^{}\\[~]|€\f';

export function smsSegments(text: string): { encoding: 'gsm-7' | 'ucs-2'; units: number; segments: number } {
  const characters = [...text];
  if (characters.every((c) => GSM_BASIC.includes(c) || GSM_EXTENSION.includes(c))) {
    const units = characters.reduce((n, c) => n + (GSM_EXTENSION.includes(c) ? 2 : 1), 0);
    return { encoding: 'gsm-7', units, segments: units <= 160 ? 1 : Math.ceil(units / 153) };
  }
  const units = text.length;
  return { encoding: 'ucs-2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}
