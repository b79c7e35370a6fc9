//! How much room a line of text takes in the cluster view, without a DOM:
//! the label layout (`placer.rs`, `captions.rs`) needs every label's box
//! before anything is drawn, and a native test has no browser to measure.
//!
//! The cluster view draws in `"DejaVu Sans", Verdana, sans-serif`
//! (`static/style.css`): DejaVu Sans (Linux, and the e2e checks) and
//! Verdana (Windows, macOS) are wide screen fonts with near-identical
//! advances, so the table below (DejaVu Sans's advance widths in
//! thousandths of an em, Book and Bold, ASCII 32–126, as Chromium measures
//! them) errs on the wide side for any narrower fallback. CJK characters
//! are one em; other symbols are counted as wide as `W`. A margin of 4 %
//! covers hinting and rounding.
//!
//! Vertical metrics: a text's box on screen (what `getBoundingClientRect`
//! reports) runs from the baseline minus [`ASCENT`] to the baseline plus
//! [`DESCENT`] (DejaVu's hhea ascent and descent); lines are stacked
//! [`LINE`] ems apart, so stacked boxes never touch.

/// DejaVu Sans Book, `' '`..=`'~'`.
const BOOK: [u16; 95] = [
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632,
    575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685,
    611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579,
    278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
];

/// DejaVu Sans Bold, `' '`..=`'~'`.
const BOLD: [u16; 95] = [
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696,
    696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683,
    683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771,
    724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665,
    343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
];

/// Above the baseline, in ems (DejaVu Sans: 0.928).
pub const ASCENT: f64 = 0.928;
/// Below the baseline, in ems (DejaVu Sans: 0.236).
pub const DESCENT: f64 = 0.236;
/// Distance between stacked lines, in ems.
pub const LINE: f64 = 1.22;

const MARGIN: f64 = 1.04;

/// The advance of one character, in thousandths of an em.
fn advance(c: char, bold: bool) -> u32 {
    let table = if bold { &BOLD } else { &BOOK };
    match c as u32 {
        32..=126 => table[c as usize - 32] as u32,
        // A middle dot is as wide as a full stop.
        0xB7 => table[b'.' as usize - 32] as u32,
        // CJK ideographs and punctuation, full-width forms: one em.
        0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF => 1000,
        // Arrows, stars, crosses and the rest: as wide as W.
        _ => table[b'W' as usize - 32] as u32,
    }
}

/// The width of `text` at `px` (CSS pixels), with the margin.
pub fn width(text: &str, px: f64, bold: bool) -> f64 {
    let em: u32 = text.chars().map(|c| advance(c, bold)).sum();
    em as f64 / 1000.0 * px * MARGIN
}

/// The height of one line's box at `px`.
pub fn height(px: f64) -> f64 {
    (ASCENT + DESCENT) * px
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_font_table() {
        // FOLLOWING in DejaVu Sans Bold: 6.79 em.
        let w = width("FOLLOWING", 100.0, true);
        assert!((w - 679.0 * MARGIN).abs() < 0.5, "{w}");
        assert!(width("iii", 12.0, false) < width("WWW", 12.0, false));
        assert!(width("LEADING", 12.0, true) > width("LEADING", 12.0, false));
        assert_eq!(width("", 12.0, false), 0.0);
        // 投票: two ems.
        assert!((width("投票", 10.0, false) - 20.0 * MARGIN).abs() < 1e-9);
        // Stacked lines never touch.
        const { assert!(LINE > ASCENT + DESCENT) };
    }
}
