// What a person at the back of the room perceives in the cluster view,
// measured in the page: each drawn text's rendered font size (its computed
// font-size times the SVG's scale on screen, not the attribute), its box on
// screen, the server circles and the rings around them, and what overlaps
// what.
//
// Used by cluster.test.mjs; kept apart so that a look at other states
// (scripts, other checks) measures the same way.

/**
 * Measures the cluster view now. Returns { texts, circles } in CSS pixels
 * of the page: texts that are drawn (not hidden, not transparent, not
 * empty) with their box, rendered size and the server they belong to;
 * server circles with centre and radius.
 */
export async function measureCluster(page) {
  return page.evaluate(() => {
    const svg = document.querySelector('svg.cluster');
    const visible = (el) => {
      for (let e = el; e && e !== svg.parentElement; e = e.parentElement) {
        const cs = getComputedStyle(e);
        if (cs.display === 'none' || cs.visibility === 'hidden' || Number(cs.opacity) === 0) return false;
      }
      return true;
    };
    const texts = [];
    for (const el of svg.querySelectorAll('text')) {
      const content = (el.textContent ?? '').trim();
      if (!content || !visible(el)) continue;
      const b = el.getBoundingClientRect();
      if (b.width === 0 || b.height === 0) continue;
      const ctm = el.getScreenCTM();
      const scale = ctm ? Math.hypot(ctm.a, ctm.b) : 1;
      const px = parseFloat(getComputedStyle(el).fontSize) * scale;
      const server = el.closest('g.server')?.getAttribute('data-testid') ?? null;
      texts.push({ text: content, px, server, cls: el.getAttribute('class') ?? '', x: b.left, y: b.top, w: b.width, h: b.height });
    }
    const circles = [];
    for (const c of svg.querySelectorAll('g.server circle.body')) {
      const b = c.getBoundingClientRect();
      const g = c.closest('g.server');
      const server = g?.getAttribute('data-testid');
      // The halo: how far the rings drawn around it reach (the deadline
      // ring, the leader's crown ring; not the focus ring), strokes
      // included.
      let halo = 0;
      for (const ring of g.querySelectorAll('circle:not(.focus-ring)')) {
        const cs = getComputedStyle(ring);
        if (cs.display === 'none' || Number(cs.opacity) === 0) continue;
        const rb = ring.getBoundingClientRect();
        halo = Math.max(halo, rb.width / 2 + (cs.stroke === 'none' ? 0 : parseFloat(cs.strokeWidth) / 2));
      }
      circles.push({ server, cx: b.left + b.width / 2, cy: b.top + b.height / 2, r: b.width / 2, halo });
    }
    return { texts, circles };
  });
}

const TOL = 0.5;

function rectsOverlap(a, b) {
  return a.x + TOL < b.x + b.w && b.x + TOL < a.x + a.w && a.y + TOL < b.y + b.h && b.y + TOL < a.y + a.h;
}

/** Distance from a circle's centre to the nearest point of a rectangle. */
function distToRect(c, r) {
  const dx = Math.max(r.x - c.cx, 0, c.cx - (r.x + r.w));
  const dy = Math.max(r.y - c.cy, 0, c.cy - (r.y + r.h));
  return Math.hypot(dx, dy);
}

/** The farthest corner of a rectangle from a circle's centre. */
function farthestCorner(c, r) {
  const dx = Math.max(Math.abs(r.x - c.cx), Math.abs(r.x + r.w - c.cx));
  const dy = Math.max(Math.abs(r.y - c.cy), Math.abs(r.y + r.h - c.cy));
  return Math.hypot(dx, dy);
}

const fmt = (t) => `"${t.text}" (${t.server ?? 'view'}, ${t.x.toFixed(0)},${t.y.toFixed(0)} ${t.w.toFixed(0)}x${t.h.toFixed(0)})`;

/**
 * What is wrong with one measured frame: texts smaller than `minPx`, texts
 * overlapping each other, texts crossing a server circle (a text whose
 * centre is in its own server's circle must lie wholly inside it; any
 * other text must stay clear of every circle). Returns a list of lines.
 */
export function problems({ texts, circles }, minPx) {
  const out = [];
  for (const t of texts) {
    if (t.px < minPx - 0.01) out.push(`size ${t.px.toFixed(1)} px < ${minPx}: ${fmt(t)}`);
  }
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      if (rectsOverlap(texts[i], texts[j])) out.push(`overlap: ${fmt(texts[i])} and ${fmt(texts[j])}`);
    }
  }
  for (const t of texts) {
    const centre = { cx: t.x + t.w / 2, cy: t.y + t.h / 2 };
    for (const c of circles) {
      const inside = Math.hypot(centre.cx - c.cx, centre.cy - c.cy) < c.r && t.server === c.server;
      if (inside) {
        const far = farthestCorner(c, t);
        if (far > c.r + TOL) out.push(`spills out of its circle by ${(far - c.r).toFixed(1)} px: ${fmt(t)}`);
      } else if (distToRect(c, t) < c.r - TOL) {
        out.push(`over the circle of ${c.server}: ${fmt(t)}`);
      }
    }
  }
  return out;
}

/** Least gap, in px, between the halos (rings) of two servers. */
export const HALO_GAP = 4;
/** A circle's least radius, in the labels' type size: not small beside its labels. */
export const LEAST_RADIUS_EMS = 2;

/**
 * What is wrong with the servers' circles in one measured frame: a circle
 * whose radius is under `LEAST_RADIUS_EMS` times the labels' type size
 * (the most common size among the texts outside the circles), two
 * servers whose halos come closer than `HALO_GAP`. Returns a list of lines.
 */
export function circleProblems({ texts, circles }) {
  const out = [];
  const sizes = new Map();
  for (const t of texts) {
    if (t.server !== null) continue;
    const k = Math.round(t.px);
    sizes.set(k, (sizes.get(k) ?? 0) + 1);
  }
  const labelPx = [...sizes.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0];
  for (const c of circles) {
    if (labelPx && c.r < LEAST_RADIUS_EMS * labelPx - TOL) {
      out.push(`small circle: ${c.server} radius ${c.r.toFixed(1)} px beside ${labelPx} px labels`);
    }
  }
  for (let i = 0; i < circles.length; i++) {
    for (let j = i + 1; j < circles.length; j++) {
      const [a, b] = [circles[i], circles[j]];
      const gap = Math.hypot(a.cx - b.cx, a.cy - b.cy) - a.halo - b.halo;
      if (gap < HALO_GAP) out.push(`halos close: ${a.server} and ${b.server} ${gap.toFixed(1)} px apart`);
    }
  }
  return out;
}
