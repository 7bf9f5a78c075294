/**
 * Font stacks for map labels. The offline base map's style names Jardem's own glyphs
 * (`/tiles/basemap/fonts/…`, DejaVu Sans with the Kazakh letters, server/basemap/assets/): the
 * server answers a stack with its first font it has, so the Jardem fonts come first. An online
 * style's glyph server answers with the next names it has; without glyphs MapLibre (≥ 5.11)
 * draws with the machine's fonts, the first name also setting the weight.
 */
export const BASE_FONT = ['Jardem Sans Regular'];
export const BASE_FONT_BOLD = ['Jardem Sans Bold'];
export const LABEL_FONT = ['Jardem Sans Bold', 'Noto Sans Semibold', 'Segoe UI', 'Roboto', 'DejaVu Sans', 'Arial'];
export const LABEL_FONT_BOLD = ['Jardem Sans Bold', 'Noto Sans Bold', 'Segoe UI', 'Roboto', 'DejaVu Sans', 'Arial'];
