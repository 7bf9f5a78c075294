/**
 * Font stacks for map labels. The offline style has no `glyphs` URL, so MapLibre (≥ 5.11) draws
 * text with the machine's fonts; the first name also sets the weight ("Semibold" → 600). All
 * of these carry Cyrillic with the Kazakh letters (ә ғ қ ң ө ұ ү һ і).
 */
export const LABEL_FONT = ['Noto Sans Semibold', 'Segoe UI', 'Roboto', 'DejaVu Sans', 'Arial'];
export const LABEL_FONT_BOLD = ['Noto Sans Bold', 'Segoe UI', 'Roboto', 'DejaVu Sans', 'Arial'];
