//! The conform report for people and programs: the side-by-side table on
//! the terminal, `report.md` and `report.json` in the run's directory.
//!
//! Contract: formats what `compare.rs`, `real.rs` and `simrun.rs`
//! produced; decides nothing. A multi-line value (a four-letter word's
//! answer, a tree) shows as its first line and a count in the table; its
//! differing lines follow the table (terminal) or sit in a details block
//! (Markdown).

use std::fmt::Write as _;

use serde::Serialize;

use super::compare::{Comparison, Row, Verdict, JVM_ALLOWANCE_MS};
use super::facts::{Line, Outcome};
use super::real::{RealReport, Skipped, Wait};
use super::simrun::SimReport;

/// Everything a run leaves in `report.json`.
#[derive(Serialize)]
pub struct Report<'a> {
    pub file: String,
    pub name: String,
    pub run_dir: String,
    pub mapping: Vec<(String, String)>,
    pub netem: bool,
    pub jvm_allowance_ms: i64,
    pub verdict: &'a str,
    pub divergences: &'a [String],
    pub rows: &'a [Row],
    pub shift_ms: i64,
    pub waits: &'a [Wait],
    pub skipped: &'a [Skipped],
    pub real_action_errors: &'a [String],
    pub sim_action_errors: &'a [String],
    pub sim_violations: &'a [String],
    pub sim_trace_hash: &'a str,
    pub real: &'a Outcome,
    pub sim: &'a Outcome,
}

impl<'a> Report<'a> {
    // The report's parts, each from a different stage of the run (mod.rs).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        file: String,
        name: String,
        run_dir: String,
        mapping: Vec<(String, String)>,
        netem: bool,
        real: &'a RealReport,
        sim: &'a SimReport,
        cmp: &'a Comparison,
    ) -> Report<'a> {
        Report {
            file,
            name,
            run_dir,
            mapping,
            netem,
            jvm_allowance_ms: JVM_ALLOWANCE_MS,
            verdict: if cmp.divergences.is_empty() {
                "agree"
            } else {
                "diverge"
            },
            divergences: &cmp.divergences,
            rows: &cmp.rows,
            shift_ms: real.shift_ms,
            waits: &real.waits,
            skipped: &real.skipped,
            real_action_errors: &real.action_errors,
            sim_action_errors: &sim.action_errors,
            sim_violations: &sim.violations,
            sim_trace_hash: &sim.trace_hash,
            real: &real.outcome,
            sim: &sim.outcome,
        }
    }
}

fn first_line(v: &str) -> String {
    let n = v.lines().count();
    let first = v.lines().next().unwrap_or("");
    if n > 1 {
        format!("{first} (+{} lines)", n - 1)
    } else {
        first.to_string()
    }
}

fn cut(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        format!("{s:<w$}")
    } else {
        let t: String = s.chars().take(w.saturating_sub(1)).collect();
        format!("{t}…")
    }
}

/// The lines of `a` not in `b`, and of `b` not in `a`, as a small diff.
fn line_diff(a: &str, b: &str) -> String {
    let mut out = String::new();
    let bl: Vec<&str> = b.lines().collect();
    let al: Vec<&str> = a.lines().collect();
    for l in &al {
        if !bl.contains(l) {
            let _ = writeln!(out, "      real> {l}");
        }
    }
    for l in &bl {
        if !al.contains(l) {
            let _ = writeln!(out, "      sim > {l}");
        }
    }
    out
}

/// The side-by-side table for the terminal.
pub fn terminal(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n== conform: {} ({})", r.name, r.file);
    let _ = writeln!(out, "   run directory: {}", r.run_dir);
    let _ = writeln!(
        out,
        "   real: ZooKeeper 3.8.0, shift {} ms after waiting for the ensemble; sim trace {}",
        r.shift_ms, r.sim_trace_hash
    );
    for k in r.skipped {
        let _ = writeln!(
            out,
            "   not done for real: actions[{}] {} at {} ms: {}",
            k.action, k.kind, k.at_ms, k.why
        );
    }
    let _ = writeln!(
        out,
        "   {:<7} {:<11} {:<28} | {:<40} | {:<40}",
        "verdict", "category", "fact", "real ZooKeeper", "simulator"
    );
    for row in r.rows {
        let _ = writeln!(
            out,
            "   {:<7} {:<11} {} | {} | {}",
            row.verdict.word(),
            row.category,
            cut(&row.fact, 28),
            cut(&first_line(&row.real), 40),
            cut(&first_line(&row.sim), 40)
        );
        if row.verdict == Verdict::Differ && (row.real.contains('\n') || row.sim.contains('\n')) {
            out.push_str(&line_diff(&row.real, &row.sim));
        }
        if row.verdict == Verdict::Differ && !row.note.is_empty() {
            let _ = writeln!(out, "      note: {}", row.note);
        }
    }
    let counts = |v: Verdict| r.rows.iter().filter(|x| x.verdict == v).count();
    let _ = writeln!(
        out,
        "   {} rows: {} agree, {} differ, {} either (timing ties), {} skipped, {} info",
        r.rows.len(),
        counts(Verdict::Agree),
        counts(Verdict::Differ),
        counts(Verdict::Either),
        counts(Verdict::Skipped),
        counts(Verdict::Info)
    );
    if r.divergences.is_empty() {
        let _ = writeln!(out, "   verdict: the real ensemble and the simulator agree");
    } else {
        let _ = writeln!(out, "   verdict: {} divergence(s):", r.divergences.len());
        for d in r.divergences {
            let _ = writeln!(out, "     - {d}");
        }
    }
    out
}

fn md_cell(v: &str) -> String {
    first_line(v).replace('|', "\\|")
}

fn key_lines(title: &str, lines: &[Line]) -> String {
    let mut out = format!("### Key log lines: {title}\n\n```text\n");
    for l in lines {
        out.push_str(&l.render());
        out.push('\n');
    }
    out.push_str("```\n\n");
    out
}

/// `report.md`: the verdict and settings, what was not done for real, the
/// side-by-side table, the waits and errors, both sides' key lines.
pub fn markdown(r: &Report) -> String {
    let mut out = String::new();
    md_head(&mut out, r);
    md_table(&mut out, r);
    md_waits_errors(&mut out, r);
    out.push_str(&key_lines("real ZooKeeper", &r.real.key_lines));
    out.push_str(&key_lines("simulator", &r.sim.key_lines));
    out
}

/// The title, verdict, settings and what was not done for real.
fn md_head(out: &mut String, r: &Report) {
    let _ = writeln!(out, "# conform: {}\n", r.name);
    let _ = writeln!(
        out,
        "Scenario `{}`; real ensemble: Debian ZooKeeper 3.8.0, one JVM per server on 127.0.0.1 in a private network namespace; run directory `{}`.\n",
        r.file, r.run_dir
    );
    let _ = writeln!(
        out,
        "**Verdict: {}** ({} divergence(s)). Times without a leader agree within one tick plus {} ms (JVM allowance). The real side waited {} ms in all for its JVMs and elections (the shift).\n",
        r.verdict,
        r.divergences.len(),
        r.jvm_allowance_ms,
        r.shift_ms
    );
    out.push_str("## Settings\n\n| setting | on the real servers |\n|---|---|\n");
    for (k, v) in &r.mapping {
        let _ = writeln!(out, "| `{k}` | {} |", v.replace('|', "\\|"));
    }
    let _ = writeln!(
        out,
        "| slow links | {} |\n",
        if r.netem {
            "sch_netem present, but conform does not shape links"
        } else {
            "not supported here: this kernel has no sch_netem"
        }
    );
    if !r.skipped.is_empty() {
        out.push_str("## Not done on the real ensemble\n\n");
        for k in r.skipped {
            let _ = writeln!(
                out,
                "- `actions[{}]` {} at {} ms: {}",
                k.action, k.kind, k.at_ms, k.why
            );
        }
        out.push('\n');
    }
}

/// The side-by-side table, then each multi-line value whole.
fn md_table(out: &mut String, r: &Report) {
    out.push_str("## Side by side\n\n| verdict | category | fact | real ZooKeeper | simulator | note |\n|---|---|---|---|---|---|\n");
    for row in r.rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            row.verdict.word(),
            row.category,
            row.fact,
            md_cell(&row.real),
            md_cell(&row.sim),
            row.note.replace('|', "\\|")
        );
    }
    out.push('\n');
    let multi: Vec<&Row> = r
        .rows
        .iter()
        .filter(|x| x.real.contains('\n') || x.sim.contains('\n'))
        .collect();
    if !multi.is_empty() {
        out.push_str("## Whole values\n\n");
        for row in multi {
            let _ = writeln!(
                out,
                "<details><summary>{} ({})</summary>\n\nreal:\n```text\n{}\n```\nsimulator:\n```text\n{}\n```\n</details>\n",
                row.fact,
                row.verdict.word(),
                row.real,
                row.sim
            );
        }
    }
}

/// The real side's waits and both sides' errors and violations.
fn md_waits_errors(out: &mut String, r: &Report) {
    if !r.waits.is_empty() {
        out.push_str("## Waits on the real side\n\n");
        for w in r.waits {
            let _ = writeln!(
                out,
                "- before `actions[{}]`: {} ms for {}{}",
                w.action,
                w.waited_ms,
                w.for_what,
                if w.reached { "" } else { " (bound reached)" }
            );
        }
        out.push('\n');
    }
    for (title, errs) in [
        ("Action errors, real", r.real_action_errors),
        ("Action errors, simulator", r.sim_action_errors),
        ("Simulator violations", r.sim_violations),
    ] {
        if !errs.is_empty() {
            let _ = writeln!(out, "## {title}\n");
            for e in errs {
                let _ = writeln!(out, "- {e}");
            }
            out.push('\n');
        }
    }
}
