// Whether a focused SVG server shows its focus as a person sees it: two
// screenshots of the server (focused, then the focus taken away) compared
// pixel by pixel, looking only at the band just outside the server's
// outermost ring (the leader's crown ring, or the deadline ring): the
// focus must change pixels all round that band. A focus drawn only on the
// circle's own stroke, under the crown ring, or hidden by it, changes
// nothing there. Used by a11y.test.mjs (every Tab stop) and
// cluster.test.mjs.

/** The focused server's centre and the outer edge of its rings, in page px. */
function ringsOf(el) {
  const body = el.querySelector('circle.body');
  if (!body) return null;
  const b = body.getBoundingClientRect();
  const cx = b.left + b.width / 2;
  const cy = b.top + b.height / 2;
  let outer = b.width / 2 + parseFloat(getComputedStyle(body).strokeWidth) / 2;
  for (const c of el.querySelectorAll('circle:not(.focus-ring)')) {
    const r = c.getBoundingClientRect();
    const cs = getComputedStyle(c);
    if (cs.display === 'none' || Number(cs.opacity) === 0) continue;
    outer = Math.max(outer, r.width / 2 + (cs.stroke === 'none' ? 0 : parseFloat(cs.strokeWidth) / 2));
  }
  return { cx, cy, r: b.width / 2, outer };
}

/** Decodes two PNGs in a blank page; the share of the band's sectors that changed. */
function compareBand({ a, b, size, centre, from, to, sectors }) {
  const load = async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    return g.getImageData(0, 0, img.width, img.height);
  };
  return Promise.all([load(a), load(b)]).then(([pa, pb]) => {
    const scale = pa.width / size;
    const hit = new Array(sectors).fill(false);
    for (let k = 0; k < sectors; k++) {
      for (let s = 0; s < 4 && !hit[k]; s++) {
        const t = ((k + s / 4) / sectors) * 2 * Math.PI;
        for (let rad = from; rad <= to && !hit[k]; rad += 0.5) {
          const x = Math.round((centre + rad * Math.cos(t)) * scale);
          const y = Math.round((centre + rad * Math.sin(t)) * scale);
          if (x < 0 || y < 0 || x >= pa.width || y >= pa.height) continue;
          const i = (y * pa.width + x) * 4;
          const d = Math.abs(pa.data[i] - pb.data[i]) + Math.abs(pa.data[i + 1] - pb.data[i + 1]) + Math.abs(pa.data[i + 2] - pb.data[i + 2]);
          if (d > 90) hit[k] = true;
        }
      }
    }
    return hit.filter(Boolean).length / sectors;
  });
}

/**
 * The focused element is an SVG server: how much of the band outside its
 * rings (1 to `band` px beyond them) changes when the focus leaves it.
 * Leaves the focus back on the server (programmatically, after a key, so
 * that :focus-visible holds). Returns { share, rings }.
 */
export async function focusRingShare(page, band = 12) {
  const rings = await page.evaluate(ringsOf, await page.evaluateHandle(() => document.activeElement));
  if (!rings) return { share: 0, rings };
  const half = Math.ceil(rings.outer + band + 6);
  const clip = { x: rings.cx - half, y: rings.cy - half, width: 2 * half, height: 2 * half };
  const focused = await page.screenshot({ clip });
  const el = await page.evaluateHandle(() => document.activeElement);
  await el.evaluate((e) => e.blur());
  await page.waitForTimeout(60);
  const blurred = await page.screenshot({ clip });
  await el.evaluate((e) => e.focus());
  await page.waitForTimeout(30);
  const blank = await page.context().newPage();
  try {
    const share = await blank.evaluate(compareBand, {
      a: focused.toString('base64'),
      b: blurred.toString('base64'),
      size: 2 * half,
      centre: half,
      from: rings.outer + 1,
      to: rings.outer + band,
      sectors: 72,
    });
    return { share, rings };
  } finally {
    await blank.close();
  }
}
