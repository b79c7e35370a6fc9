// The benchmark hour looped as a scenario file, for the browser: shared by
// bench/browser.mjs (the memory curve) and e2e/app.test.mjs (a seek that
// replays from far back).

/**
 * The benchmark hour looped `hours` times: bench-1h.json's actions repeated
 * every hour, except the start, the connect and the load, which happen
 * once (the load lasts the whole run), with autopurge every hour.
 * `zablab bench --memory` builds the same run (`Scenario::looped` in core/src/scenario/mod.rs,
 * its default `--purge-interval 1`).
 */
export function looped(base, hours) {
  const H = 3_600_000;
  const once = new Set(['start', 'connect', 'load']);
  const actions = [];
  for (let k = 0; k < hours; k++) {
    for (const a of base.actions) {
      if (k > 0 && once.has(a.do)) continue;
      const b = { ...a, at_ms: a.at_ms + k * H };
      if (b.do === 'load') b.for_ms = hours * H - b.at_ms;
      actions.push(b);
    }
  }
  // Every server purges its old snapshots and logs hourly, keeping 3 (as
  // an operator runs a cluster for days; `zablab bench --memory`'s default).
  const ensemble = { ...base.ensemble, autopurge_purge_interval: 1, autopurge_snap_retain_count: 3 };
  return { ...base, name: `${base.name}, looped ${hours} times`, until_ms: hours * H, ensemble, actions };
}
