//! The fuzzer's mutations: byte edits on a file's text, token and chunk
//! insertions from the corpus, and JSON edits (a node removed, set to an
//! odd value, grafted from another file, duplicated, a number nudged),
//! drawn by proptest so a failing input shrinks to few, small edits.
//! Knows nothing of the formats beyond JSON: what is a scenario, a lesson
//! or a link is `fuzz_inputs.rs`'s business.

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

/// Values a mutated JSON node may take: edges of every number type the
/// formats use, wrong types, empty and long containers.
fn odd_values() -> Vec<Value> {
    serde_json::from_str(
        r#"[0, 1, -1, 2, 3, 7, 255, 256, 65535, 65536, 2147483647, 4294967295,
            4294967296, 9007199254740993, 18446744073709551615, -9223372036854775808,
            0.5, -0.0, 1e308, -1e308, 1e-300, "", "x", "crash", "all", "leader",
            null, true, false, [], {}, [1, 2, 3], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            [[1], [2]], {"server": 1}, {"a": {"b": {"c": []}}}]"#,
    )
    .unwrap()
}

#[derive(Debug, Clone)]
pub enum Edit {
    /// Byte-level, on the text.
    Byte(Index, u8),
    Flip(Index, u8),
    Insert(Index, Vec<u8>),
    Delete(Index, usize),
    Truncate(Index),
    /// A chunk of another corpus file copied in.
    Splice(Index, Index, Index, usize),
    /// A token of the corpus (a field name, a value) inserted.
    Word(Index, Index),
    /// JSON-level (when the text parses): a node removed, set to an odd
    /// value, replaced by another file's node, or duplicated in its array.
    Remove(Index),
    Set(Index, Index),
    Graft(Index, Index, Index),
    Dup(Index),
    /// The `k`-th number nudged (so the file often stays valid and runs
    /// with an odd setting): +1, −1, ×2, ×1000, ÷2, 0.
    Nudge(Index, u8),
}

pub fn edit() -> impl Strategy<Value = Edit> {
    let i = || any::<Index>();
    // Byte edits mostly break the JSON (the parser's errors); JSON edits
    // reach the checks behind it and, when they pass, the simulation.
    prop_oneof![
        1 => (i(), any::<u8>()).prop_map(|(a, b)| Edit::Byte(a, b)),
        1 => (i(), 0u8..8).prop_map(|(a, b)| Edit::Flip(a, b)),
        1 => (i(), prop::collection::vec(any::<u8>(), 1..8)).prop_map(|(a, b)| Edit::Insert(a, b)),
        1 => (i(), 1usize..64).prop_map(|(a, n)| Edit::Delete(a, n)),
        1 => i().prop_map(Edit::Truncate),
        1 => (i(), i(), i(), 1usize..200).prop_map(|(a, f, b, n)| Edit::Splice(a, f, b, n)),
        1 => (i(), i()).prop_map(|(a, w)| Edit::Word(a, w)),
        2 => i().prop_map(Edit::Remove),
        3 => (i(), i()).prop_map(|(a, v)| Edit::Set(a, v)),
        3 => (i(), i(), i()).prop_map(|(a, f, b)| Edit::Graft(a, f, b)),
        2 => i().prop_map(Edit::Dup),
        6 => (i(), 0u8..6).prop_map(|(a, op)| Edit::Nudge(a, op)),
    ]
}

/// Pre-order node count.
fn count(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count).sum(),
        Value::Object(m) => m.values().map(count).sum(),
        _ => 0,
    }
}

/// The `k`-th node (pre-order).
fn node(v: &Value, mut k: usize) -> Option<&Value> {
    fn go<'a>(v: &'a Value, k: &mut usize) -> Option<&'a Value> {
        if *k == 0 {
            return Some(v);
        }
        *k -= 1;
        let kids: Vec<&Value> = match v {
            Value::Array(a) => a.iter().collect(),
            Value::Object(m) => m.values().collect(),
            _ => Vec::new(),
        };
        kids.into_iter().find_map(|c| go(c, k))
    }
    go(v, &mut k)
}

/// Applies `f` to the parent container of the `k`-th node (k ≥ 1) with the
/// node's position in it.
fn at_parent(v: &mut Value, k: usize, f: &mut dyn FnMut(&mut Value, usize)) -> bool {
    fn go(v: &mut Value, k: &mut usize, f: &mut dyn FnMut(&mut Value, usize)) -> bool {
        let n = match v {
            Value::Array(a) => a.len(),
            Value::Object(m) => m.len(),
            _ => 0,
        };
        for i in 0..n {
            if *k == 0 {
                f(v, i);
                return true;
            }
            *k -= 1;
            let child = match v {
                Value::Array(a) => &mut a[i],
                Value::Object(m) => m.values_mut().nth(i).unwrap(),
                _ => unreachable!(),
            };
            if go(child, k, f) {
                return true;
            }
        }
        false
    }
    let mut k = k.saturating_sub(1);
    go(v, &mut k, f)
}

fn edit_json(text: &[u8], e: &Edit, files: &[String]) -> Option<Vec<u8>> {
    let mut v: Value = serde_json::from_slice(text).ok()?;
    let n = count(&v);
    let odd = odd_values();
    match e {
        Edit::Remove(a) => {
            at_parent(&mut v, a.index(n), &mut |p, i| match p {
                Value::Array(x) => {
                    x.remove(i);
                }
                Value::Object(m) => {
                    let key = m.keys().nth(i).unwrap().clone();
                    m.remove(&key);
                }
                _ => {}
            });
        }
        Edit::Set(a, w) => {
            let new = odd[w.index(odd.len())].clone();
            at_parent(&mut v, a.index(n), &mut |p, i| set_child(p, i, new.clone()));
        }
        Edit::Graft(a, f, b) => {
            let other: Value = serde_json::from_str(&files[f.index(files.len())]).ok()?;
            let new = node(&other, b.index(count(&other)))?.clone();
            at_parent(&mut v, a.index(n), &mut |p, i| set_child(p, i, new.clone()));
        }
        Edit::Dup(a) => {
            at_parent(&mut v, a.index(n), &mut |p, i| {
                if let Value::Array(x) = p {
                    let c = x[i].clone();
                    x.insert(i, c);
                }
            });
        }
        Edit::Nudge(a, op) => {
            let numbers = count_numbers(&v);
            if numbers == 0 {
                return None;
            }
            let mut k = a.index(numbers);
            nudge(&mut v, &mut k, *op);
        }
        _ => return None,
    }
    Some(serde_json::to_vec(&v).unwrap())
}

fn count_numbers(v: &Value) -> usize {
    match v {
        Value::Number(_) => 1,
        Value::Array(a) => a.iter().map(count_numbers).sum(),
        Value::Object(m) => m.values().map(count_numbers).sum(),
        _ => 0,
    }
}

/// Nudges the `k`-th number; true once done.
fn nudge(v: &mut Value, k: &mut usize, op: u8) -> bool {
    match v {
        Value::Number(n) => {
            if *k > 0 {
                *k -= 1;
                return false;
            }
            let new = match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => Value::from(match op {
                    0 => u.saturating_add(1),
                    1 => u.saturating_sub(1),
                    2 => u.saturating_mul(2),
                    3 => u.saturating_mul(1000),
                    4 => u / 2,
                    _ => 0,
                }),
                (_, Some(i), _) => Value::from(i.saturating_add(1)),
                (_, _, Some(f)) => Value::from(f * 2.0),
                _ => return true,
            };
            *v = new;
            true
        }
        Value::Array(a) => a.iter_mut().any(|x| nudge(x, k, op)),
        Value::Object(m) => m.values_mut().any(|x| nudge(x, k, op)),
        _ => false,
    }
}

fn set_child(p: &mut Value, i: usize, new: Value) {
    match p {
        Value::Array(x) => x[i] = new,
        Value::Object(m) => *m.values_mut().nth(i).unwrap() = new,
        _ => {}
    }
}

/// `text` with `edits` applied, in order; `files` is the corpus the text
/// came from (for splices and grafts; none: those edits do nothing),
/// `words` the tokens an edit may insert.
pub fn mutate(text: &str, edits: &[Edit], files: &[String], words: &[String]) -> String {
    String::from_utf8_lossy(&mutate_bytes(text.as_bytes().to_vec(), edits, files, words))
        .into_owned()
}

/// [`mutate`] on bytes.
pub fn mutate_bytes(mut b: Vec<u8>, edits: &[Edit], files: &[String], words: &[String]) -> Vec<u8> {
    for e in edits {
        let at = |i: &Index, b: &Vec<u8>| i.index(b.len() + 1);
        match e {
            Edit::Byte(i, x) if !b.is_empty() => {
                let k = i.index(b.len());
                b[k] = *x;
            }
            Edit::Flip(i, bit) if !b.is_empty() => {
                let k = i.index(b.len());
                b[k] ^= 1 << bit;
            }
            Edit::Insert(i, x) => {
                let k = at(i, &b);
                b.splice(k..k, x.iter().copied());
            }
            Edit::Delete(i, n) => {
                let k = at(i, &b);
                let end = (k + n).min(b.len());
                b.drain(k..end);
            }
            Edit::Truncate(i) => {
                let k = at(i, &b);
                b.truncate(k);
            }
            Edit::Splice(i, f, from, n) if !files.is_empty() => {
                let src = files[f.index(files.len())].as_bytes();
                let s = from.index(src.len().max(1)).min(src.len());
                let chunk = &src[s..(s + n).min(src.len())];
                let k = at(i, &b);
                b.splice(k..k, chunk.iter().copied());
            }
            Edit::Word(i, w) => {
                let k = at(i, &b);
                b.splice(k..k, words[w.index(words.len())].bytes());
            }
            e @ (Edit::Remove(_)
            | Edit::Set(..)
            | Edit::Graft(..)
            | Edit::Dup(_)
            | Edit::Nudge(..))
                if !files.is_empty() =>
            {
                if let Some(nb) = edit_json(&b, e, files) {
                    b = nb;
                }
            }
            _ => {}
        }
    }
    b
}

/// An input of a path: a corpus file with 1–6 edits (9 in 10), or random
/// bytes.
#[derive(Debug, Clone)]
pub enum Input {
    Mutated(Index, Vec<Edit>),
    Random(Vec<u8>),
}

pub fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        9 => (any::<Index>(), prop::collection::vec(edit(), 1..5))
            .prop_map(|(f, e)| Input::Mutated(f, e)),
        1 => prop::collection::vec(any::<u8>(), 0..1024).prop_map(Input::Random),
    ]
}

pub fn text_of(input: &Input, files: &[String], words: &[String]) -> String {
    match input {
        Input::Mutated(f, edits) => mutate(&files[f.index(files.len())], edits, files, words),
        Input::Random(bytes) => String::from_utf8_lossy(bytes).into_owned(),
    }
}
