// A venue drawn to scale without any map tiles: its point, the geofence circle of its radius, the branch's other
// saved venues where they fall, a grid and a scale bar in metres, north up.
import { t } from '../i18n.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 360;
const HEIGHT = 240;
const METRES_PER_DEGREE_LAT = 110_574;
const METRES_PER_DEGREE_LON_AT_EQUATOR = 111_320;
const BAR_LENGTHS = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : document.createTextNode(child));
  }
  return node;
}

// Metres east and north of (lat0, lon0): an equirectangular projection, exact enough within a few kilometres.
export function offsetMetres(lat0, lon0, lat, lon) {
  return {
    east: (lon - lon0) * METRES_PER_DEGREE_LON_AT_EQUATOR * Math.cos((lat0 * Math.PI) / 180),
    north: (lat - lat0) * METRES_PER_DEGREE_LAT,
  };
}

// The longest round length that takes at most a third of the drawing's width.
export function barLength(metresAcross) {
  return BAR_LENGTHS.filter((length) => length <= metresAcross / 3).pop() || BAR_LENGTHS[0];
}

// `venue`: {name, lat, lon, radius_m}; `others`: saved venues to show around it. Without a position, a hint.
export function venueDrawing(venue, others = []) {
  const valid = Number.isFinite(venue.lat) && Number.isFinite(venue.lon) && Math.abs(venue.lat) <= 90
    && Math.abs(venue.lon) <= 180;
  const radius = Number.isFinite(venue.radius_m) && venue.radius_m > 0 ? venue.radius_m : 300;
  const metresAcross = Math.max(radius * 3, 300) * (WIDTH / HEIGHT);
  const scale = WIDTH / metresAcross;
  const bar = barLength(metresAcross);
  const cx = WIDTH / 2;
  const cy = HEIGHT / 2;
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'venue-map', role: 'img', id: 'venue-map',
    'data-radius-m': radius, 'data-metres-per-px': (1 / scale).toFixed(3), 'data-bar-m': bar,
    'aria-label': valid ? t('venue.mapLabel', { name: venue.name || t('venue.unnamed'), m: radius, bar })
      : t('venue.noPosition') });
  svg.append(s('rect', { x: 0, y: 0, width: WIDTH, height: HEIGHT, class: 'venue-ground' }));
  const grid = bar * scale;
  for (let x = cx % grid; x < WIDTH; x += grid) svg.append(s('line', { x1: x, y1: 0, x2: x, y2: HEIGHT, class: 'venue-grid' }));
  for (let y = cy % grid; y < HEIGHT; y += grid) svg.append(s('line', { x1: 0, y1: y, x2: WIDTH, y2: y, class: 'venue-grid' }));
  if (!valid) {
    svg.append(s('text', { x: cx, y: cy, class: 'venue-hint', 'text-anchor': 'middle' }, t('venue.noPosition')));
    return svg;
  }
  for (const other of others) {
    const { east, north } = offsetMetres(venue.lat, venue.lon, other.lat, other.lon);
    const x = cx + east * scale;
    const y = cy - north * scale;
    if (x < 0 || x > WIDTH || y < 0 || y > HEIGHT || (Math.abs(east) < 1 && Math.abs(north) < 1)) continue;
    // A venue next to the point keeps its name in its tooltip only: its label would cover the point's.
    const beside = Math.hypot(x - cx, y - cy) < 24;
    svg.append(s('g', { class: 'venue-other' }, s('title', {}, other.name), s('circle', { cx: x, cy: y, r: 4 }),
      beside ? null : s('text', { x: x + 6, y: y + 4 }, other.name)));
  }
  svg.append(
    s('circle', { cx, cy, r: radius * scale, class: 'venue-fence', id: 'venue-fence' }),
    s('line', { x1: cx, y1: cy, x2: cx + radius * scale, y2: cy, class: 'venue-radius' }),
    s('text', { x: cx + radius * scale + 4, y: cy + 4, class: 'venue-label' }, t('venue.radius', { m: radius })),
    s('circle', { cx, cy, r: 5, class: 'venue-pin' }),
    s('text', { x: cx, y: cy - 10, 'text-anchor': 'middle', class: 'venue-label' }, venue.name || ''),
    s('g', { class: 'venue-north' }, s('path', { d: `M ${WIDTH - 20} 14 l 6 14 h -12 z` }),
      s('text', { x: WIDTH - 20, y: 40, 'text-anchor': 'middle' }, t('venue.north'))),
    s('g', { class: 'venue-bar', id: 'venue-bar' },
      s('rect', { x: 12, y: HEIGHT - 22, width: bar * scale, height: 6 }),
      s('text', { x: 12, y: HEIGHT - 28 }, t('venue.metres', { m: bar }))));
  return svg;
}
