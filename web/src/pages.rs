//! Pages of a lesson step in presenter mode, as numbers (pure, no DOM):
//! where a narration splits into sentences, and how measured pieces of a
//! step are cut into pages that each fit the panel. A page starts at a
//! block (a paragraph, the choices, the answer, the evidence) or, when one
//! paragraph alone is taller than the panel, at a sentence: never in the
//! middle of a sentence. A piece marked `keep` (a heading, a question's
//! prompt) never ends a page when it and what follows fit on one: a
//! question stays with its choices. `ui/lesson.rs` measures and draws;
//! this file only decides. It must never touch the DOM or the model.

/// Splits `text` after each sentence's end (`.`, `!`, `?` followed by a
/// space and a capital, a digit or an opening mark; `。`, `！`, `？`),
/// keeping every character: the parts joined give `text` back. A full
/// stop inside a number or an abbreviation ("e.g. the") does not split.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        let end = if matches!(c, '。' | '！' | '？') {
            // Closing marks stay with their sentence.
            let mut j = i + 1;
            while j < chars.len() && matches!(chars[j].1, '”' | '」' | '）' | ')') {
                j += 1;
            }
            Some(j)
        } else if matches!(c, '.' | '!' | '?') {
            let mut j = i + 1;
            while j < chars.len() && matches!(chars[j].1, '"' | '”' | ')' | '’') {
                j += 1;
            }
            let spaces = chars[j..].iter().take_while(|x| x.1 == ' ').count();
            let next = chars.get(j + spaces).map(|x| x.1);
            let opens = next.is_some_and(|n| {
                n.is_uppercase() || n.is_ascii_digit() || matches!(n, '"' | '“' | '(' | '‘')
            });
            (spaces > 0 && opens && at > 0).then_some(j + spaces)
        } else {
            None
        };
        match end {
            Some(j) if j < chars.len() => {
                let cut = chars[j].0;
                out.push(&text[start..cut]);
                start = cut;
                i = j;
            }
            _ => i += 1,
        }
    }
    if start < text.len() || out.is_empty() {
        out.push(&text[start..]);
    }
    out
}

/// Where one piece of a step lies in the measured column, in px from its
/// top: a piece is a sentence of a paragraph or a whole element.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    /// Where a page starting at this piece begins: its block's top for a
    /// block's first piece; else its first line's top less what the block
    /// draws above its first piece (padding, a heading).
    pub top: f64,
    /// Where a page ending with this piece ends: its block's bottom for a
    /// block's last piece, else its last line's bottom.
    pub bottom: f64,
    /// Stays on the page of the next piece (a heading, a question's
    /// prompt) when both fit on one.
    pub keep: bool,
}

/// The first piece of each page (the first page starts at 0): as many
/// pieces as fit in `height` px, in order, but a page never ends with a
/// kept piece: the break moves back to before the run of kept pieces
/// that leads to the piece that did not fit, unless that run is the
/// whole page (then it is cut where it overflows). A piece taller than a
/// page gets a page of its own (and overflows it: the e2e check says so).
pub fn paginate(pieces: &[Extent], height: f64) -> Vec<usize> {
    let mut starts = vec![0];
    if pieces.is_empty() {
        return starts;
    }
    let mut start = 0;
    let mut i = 1;
    while i < pieces.len() {
        if pieces[i].bottom - pieces[start].top <= height {
            i += 1;
            continue;
        }
        let mut cut = i;
        while cut > start + 1 && pieces[cut - 1].keep {
            cut -= 1;
        }
        if pieces[cut - 1].keep {
            // Kept from the page's first piece on: too long to keep.
            cut = i;
        }
        starts.push(cut);
        start = cut;
        i = cut + 1;
    }
    starts
}

/// The page that holds piece `piece`.
pub fn page_of(starts: &[usize], piece: usize) -> usize {
    starts.iter().rposition(|&s| s <= piece).unwrap_or(0)
}

/// The pieces `[from, to)` of page `page` of `n` pieces.
pub fn range(starts: &[usize], page: usize, n: usize) -> (usize, usize) {
    let from = starts.get(page).copied().unwrap_or(0);
    let to = starts.get(page + 1).copied().unwrap_or(n);
    (from, to.max(from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_at_their_ends_and_join_back() {
        let en = "Server 3 won at 0.210 s. It is LEADING, e.g. in DISCOVERY! Why? \"Quorum\" (2 of 3) said so. 0x100000002 was logged.";
        let parts = sentences(en);
        assert_eq!(
            parts,
            [
                "Server 3 won at 0.210 s. ",
                "It is LEADING, e.g. in DISCOVERY! ",
                "Why? ",
                "\"Quorum\" (2 of 3) said so. ",
                "0x100000002 was logged."
            ]
        );
        assert_eq!(parts.concat(), en);
        let zh = "服务器 3 在 0.210 秒胜出。它处于 LEADING！为什么？“法定人数”。";
        let parts = sentences(zh);
        assert_eq!(
            parts,
            [
                "服务器 3 在 0.210 秒胜出。",
                "它处于 LEADING！",
                "为什么？",
                "“法定人数”。"
            ]
        );
        assert_eq!(parts.concat(), zh);
        assert_eq!(sentences(""), [""]);
        assert_eq!(sentences("No end"), ["No end"]);
        assert_eq!(
            sentences("Click s1, then Crash."),
            ["Click s1, then Crash."]
        );
    }

    fn ext(top: f64, bottom: f64) -> Extent {
        Extent {
            top,
            bottom,
            keep: false,
        }
    }

    fn kept(top: f64, bottom: f64) -> Extent {
        Extent {
            keep: true,
            ..ext(top, bottom)
        }
    }

    #[test]
    fn a_kept_piece_goes_to_the_page_of_the_next() {
        // Narration (two sentences), a question's prompt, its choices: the
        // choices do not fit on the first page, so the prompt goes with them.
        let p = [
            ext(0.0, 150.0),
            ext(150.0, 300.0),
            kept(310.0, 360.0),
            ext(370.0, 500.0),
        ];
        assert_eq!(paginate(&p, 420.0), [0, 2]);
        // A heading kept with a two-sentence prompt (both kept) and a
        // button: the break goes before the heading.
        let q = [
            ext(0.0, 300.0),
            kept(310.0, 330.0),
            kept(330.0, 380.0),
            ext(385.0, 440.0),
        ];
        assert_eq!(paginate(&q, 400.0), [0, 1]);
        // Everything fits: one page, whatever is kept.
        assert_eq!(paginate(&q, 1000.0), [0]);
        // A kept run longer than a page is cut where it overflows.
        let r = [kept(0.0, 200.0), kept(200.0, 400.0), ext(400.0, 500.0)];
        assert_eq!(paginate(&r, 250.0), [0, 1, 2]);
        // After a moved break the rest is paged from the new start.
        let s = [
            ext(0.0, 100.0),
            kept(100.0, 150.0),
            ext(150.0, 400.0),
            ext(400.0, 500.0),
        ];
        assert_eq!(paginate(&s, 300.0), [0, 1, 3]);
    }

    #[test]
    fn pages_hold_what_fits_and_start_at_a_piece() {
        // Three blocks of 200 px with 10 px between them, in a 420 px page.
        let p = [ext(0.0, 200.0), ext(210.0, 410.0), ext(420.0, 620.0)];
        assert_eq!(paginate(&p, 420.0), [0, 2]);
        assert_eq!(paginate(&p, 1000.0), [0]);
        assert_eq!(paginate(&p, 100.0), [0, 1, 2], "too tall: one each");
        assert_eq!(paginate(&[], 100.0), [0]);
        // A page starting mid-paragraph counts what its block draws above.
        let q = [ext(0.0, 30.0), ext(25.0, 300.0), ext(290.0, 330.0)];
        assert_eq!(paginate(&q, 300.0), [0, 2]);
        assert_eq!(page_of(&[0, 2], 1), 0);
        assert_eq!(page_of(&[0, 2], 2), 1);
        assert_eq!(page_of(&[0, 2], 9), 1);
        assert_eq!(range(&[0, 2], 0, 3), (0, 2));
        assert_eq!(range(&[0, 2], 1, 3), (2, 3));
        assert_eq!(range(&[0, 2], 5, 3), (0, 3));
    }
}
