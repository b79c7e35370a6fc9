//! Share links: a scenario compressed into the URL fragment, so that
//! opening the link rebuilds the same run (the same trace hash).
//!
//! Format: `#s=<payload>&t=<ms>[&lang=zh]` where payload is base64url (no padding)
//! of `[1][checksum: 4 bytes LE][LZ-compressed JSON]`; the checksum is the
//! low 32 bits of FNV-1a over the JSON (`zablab_core::trace`). `t` is the
//! moment shown when the link was made; `lang` the interface language
//! (any link may carry it; [`param`] / [`with_param`] read and set it).
//!
//! The compressor is a small LZ77 of our own (no dependency): tokens are a
//! literal run (`0xxxxxxx`: 1–128 bytes follow) or a match (`1xxxxxxx`:
//! length 3–130, then the distance as LEB128, 1..=32768).
//!
//! Decoding never panics and never allocates without bound: every way a
//! link can be broken (cut short, edited, another version, too large, not
//! a scenario) is a [`LinkError`] for the user, and the current run stays.

use std::fmt;

use zablab_core::trace::TraceHasher;

const VERSION: u8 = 1;
const WINDOW: usize = 32 * 1024;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 130;
/// Largest scenario a link may unpack to.
pub const MAX_JSON: usize = 1 << 20;

/// Why a link could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// No `s=` part in the fragment.
    Missing,
    /// Not base64url.
    Encoding,
    /// Another format version.
    Version(u8),
    /// Cut short, or the compressed data is inconsistent.
    Corrupt,
    /// The checksum does not match: the link was edited or cut.
    Checksum,
    /// It unpacks to more than [`MAX_JSON`] bytes.
    TooLarge,
    /// `t=` is not a number of milliseconds.
    Time,
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Terse technical reasons; the UI wraps them in a translated sentence.
        match self {
            LinkError::Missing => write!(f, "no scenario in the link (s=…)"),
            LinkError::Encoding => write!(f, "not base64url"),
            LinkError::Version(v) => write!(f, "format version {v}, this build reads {VERSION}"),
            LinkError::Corrupt => write!(f, "the compressed data is cut or damaged"),
            LinkError::Checksum => write!(f, "checksum mismatch"),
            LinkError::TooLarge => write!(f, "larger than {MAX_JSON} bytes"),
            LinkError::Time => write!(f, "t= is not a time in ms"),
        }
    }
}

fn checksum(bytes: &[u8]) -> u32 {
    let mut h = TraceHasher::new();
    h.bytes(bytes);
    h.finish() as u32
}

/// LZ77 compression (see the module doc for the token format).
pub fn compress(input: &[u8]) -> Vec<u8> {
    const HASH_BITS: u32 = 13;
    let mut out = Vec::with_capacity(input.len() / 2 + 16);
    let mut head = vec![usize::MAX; 1 << HASH_BITS];
    let mut prev = vec![usize::MAX; input.len()];
    let hash = |i: usize| -> usize {
        let v = u32::from(input[i]) | u32::from(input[i + 1]) << 8 | u32::from(input[i + 2]) << 16;
        (v.wrapping_mul(2_654_435_761) >> (32 - HASH_BITS)) as usize
    };
    let mut literals: Vec<u8> = Vec::new();
    let flush = |out: &mut Vec<u8>, lits: &mut Vec<u8>| {
        for chunk in lits.chunks(128) {
            out.push((chunk.len() - 1) as u8);
            out.extend_from_slice(chunk);
        }
        lits.clear();
    };
    let mut i = 0;
    let insert = |head: &mut Vec<usize>, prev: &mut Vec<usize>, i: usize| {
        if i + MIN_MATCH <= input.len() {
            let h = hash(i);
            prev[i] = head[h];
            head[h] = i;
        }
    };
    while i < input.len() {
        let (mut best_len, mut best_dist) = (0, 0);
        if i + MIN_MATCH <= input.len() {
            let mut cand = head[hash(i)];
            let mut tries = 64;
            while cand != usize::MAX && i - cand <= WINDOW && tries > 0 {
                let max = MAX_MATCH.min(input.len() - i);
                let mut l = 0;
                while l < max && input[cand + l] == input[i + l] {
                    l += 1;
                }
                if l > best_len {
                    best_len = l;
                    best_dist = i - cand;
                    if l == max {
                        break;
                    }
                }
                cand = prev[cand];
                tries -= 1;
            }
        }
        if best_len >= MIN_MATCH {
            flush(&mut out, &mut literals);
            out.push(0x80 | (best_len - MIN_MATCH) as u8);
            let mut d = best_dist;
            loop {
                let b = (d & 0x7f) as u8;
                d >>= 7;
                if d == 0 {
                    out.push(b);
                    break;
                }
                out.push(b | 0x80);
            }
            for k in i..i + best_len {
                insert(&mut head, &mut prev, k);
            }
            i += best_len;
        } else {
            literals.push(input[i]);
            insert(&mut head, &mut prev, i);
            i += 1;
        }
    }
    flush(&mut out, &mut literals);
    out
}

/// The inverse of [`compress`]: `Corrupt` for anything it did not
/// produce, `TooLarge` past `max` bytes.
pub fn decompress(input: &[u8], max: usize) -> Result<Vec<u8>, LinkError> {
    use LinkError::{Corrupt, TooLarge};
    let mut out: Vec<u8> = Vec::with_capacity(input.len().saturating_mul(3).min(max));
    let mut i = 0;
    while i < input.len() {
        let tag = input[i];
        i += 1;
        if tag & 0x80 == 0 {
            let n = usize::from(tag) + 1;
            let lits = input.get(i..i + n).ok_or(Corrupt)?;
            if out.len() + n > max {
                return Err(TooLarge);
            }
            out.extend_from_slice(lits);
            i += n;
        } else {
            let len = usize::from(tag & 0x7f) + MIN_MATCH;
            let mut dist: usize = 0;
            let mut shift = 0;
            loop {
                let b = *input.get(i).ok_or(Corrupt)?;
                i += 1;
                dist |= usize::from(b & 0x7f) << shift;
                if b & 0x80 == 0 {
                    break;
                }
                shift += 7;
                if shift > 14 {
                    return Err(Corrupt);
                }
            }
            if dist == 0 || dist > out.len() || dist > WINDOW {
                return Err(Corrupt);
            }
            if out.len() + len > max {
                return Err(TooLarge);
            }
            let start = out.len() - dist;
            for k in 0..len {
                let b = out[start + k];
                out.push(b);
            }
        }
    }
    Ok(out)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding.
pub fn b64_encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let v = chunk
            .iter()
            .enumerate()
            .fold(0u32, |v, (k, &b)| v | u32::from(b) << (16 - 8 * k));
        for k in 0..=chunk.len() {
            s.push(B64[(v >> (18 - 6 * k) & 63) as usize] as char);
        }
    }
    s
}

/// The inverse of [`b64_encode`]; `None` for any other character or a
/// length no encoding has.
pub fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| B64.iter().position(|&x| x == c).map(|p| p as u32);
    let bytes = s.as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut v = 0u32;
        for (k, &c) in chunk.iter().enumerate() {
            v |= val(c)? << (18 - 6 * k);
        }
        for k in 0..chunk.len() - 1 {
            out.push((v >> (16 - 8 * k)) as u8);
        }
    }
    Some(out)
}

/// The fragment (without `#`) that carries `json` and the moment `t_ms`.
pub fn encode(json: &str, t_ms: u64) -> String {
    let mut bytes = vec![VERSION];
    bytes.extend_from_slice(&checksum(json.as_bytes()).to_le_bytes());
    bytes.extend_from_slice(&compress(json.as_bytes()));
    format!("s={}&t={t_ms}", b64_encode(&bytes))
}

/// The value of `key=` in a fragment (`#a=1&b=2`, with or without `#`).
pub fn param<'a>(fragment: &'a str, key: &str) -> Option<&'a str> {
    fragment
        .trim_start_matches('#')
        .split('&')
        .find_map(|p| p.strip_prefix(key)?.strip_prefix('='))
}

/// The fragment (without `#`) with `key` set to `value` (in place, or
/// appended) or removed (`None`); the other parts stay as they are.
pub fn with_param(fragment: &str, key: &str, value: Option<&str>) -> String {
    let mut parts: Vec<String> = fragment
        .trim_start_matches('#')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    let at = parts
        .iter()
        .position(|p| p.strip_prefix(key).is_some_and(|r| r.starts_with('=')));
    match (at, value) {
        (Some(i), Some(v)) => parts[i] = format!("{key}={v}"),
        (Some(i), None) => {
            parts.remove(i);
        }
        (None, Some(v)) => parts.push(format!("{key}={v}")),
        (None, None) => {}
    }
    parts.join("&")
}

/// Whether a fragment (with or without `#`) carries a scenario.
pub fn is_share(fragment: &str) -> bool {
    fragment
        .trim_start_matches('#')
        .split('&')
        .any(|p| p.starts_with("s="))
}

/// The scenario text and moment a fragment carries.
pub fn decode(fragment: &str) -> Result<(String, Option<u64>), LinkError> {
    let mut payload = None;
    let mut t = None;
    for part in fragment.trim_start_matches('#').split('&') {
        if let Some(p) = part.strip_prefix("s=") {
            payload = Some(p);
        } else if let Some(v) = part.strip_prefix("t=") {
            t = Some(v.parse::<u64>().map_err(|_| LinkError::Time)?);
        }
    }
    let payload = payload.ok_or(LinkError::Missing)?;
    let bytes = b64_decode(payload.trim()).ok_or(LinkError::Encoding)?;
    let (&version, rest) = bytes.split_first().ok_or(LinkError::Corrupt)?;
    if version != VERSION {
        return Err(LinkError::Version(version));
    }
    if rest.len() < 4 {
        return Err(LinkError::Corrupt);
    }
    let (sum, packed) = rest.split_at(4);
    let want = u32::from_le_bytes([sum[0], sum[1], sum[2], sum[3]]);
    let json = decompress(packed, MAX_JSON)?;
    if checksum(&json) != want {
        return Err(LinkError::Checksum);
    }
    let text = String::from_utf8(json).map_err(|_| LinkError::Corrupt)?;
    Ok((text, t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use zablab_core::rng::Pcg32;

    const SAMPLES: [&str; 3] = [
        include_str!("../../static/scenarios/kill-the-leader.json"),
        include_str!("../../static/scenarios/three-up.json"),
        include_str!("../../static/scenarios/load-1h-5srv.json"),
    ];

    #[test]
    fn round_trips_and_compresses_scenarios() {
        for s in SAMPLES {
            let packed = compress(s.as_bytes());
            assert!(
                packed.len() < s.len() * 9 / 10,
                "{} -> {}",
                s.len(),
                packed.len()
            );
            assert_eq!(decompress(&packed, MAX_JSON).unwrap(), s.as_bytes());
            let frag = encode(s, 1234);
            assert!(frag
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"-_=&".contains(&c)));
            assert_eq!(decode(&frag).unwrap(), (s.to_string(), Some(1234)));
            assert_eq!(decode(&format!("#{frag}")).unwrap().1, Some(1234));
        }
        for s in [
            "",
            "a",
            "ab",
            "abc",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert_eq!(
                decompress(&compress(s.as_bytes()), 1000).unwrap(),
                s.as_bytes()
            );
        }
    }

    #[test]
    fn base64url_round_trips_every_length() {
        let data: Vec<u8> = (0..=255u8).collect();
        for n in 0..40 {
            assert_eq!(b64_decode(&b64_encode(&data[..n])).unwrap(), &data[..n]);
        }
        assert_eq!(b64_decode("a"), None);
        assert_eq!(b64_decode("ab+c"), None);
    }

    #[test]
    fn broken_links_are_errors_not_panics() {
        let good = encode(SAMPLES[0], 5);
        assert_eq!(decode("t=5"), Err(LinkError::Missing));
        assert_eq!(decode("s=%%%"), Err(LinkError::Encoding));
        assert_eq!(
            decode(&good.replace("&t=5", "&t=soon")),
            Err(LinkError::Time)
        );
        let payload = good.trim_start_matches("s=").split('&').next().unwrap();
        // Cut short at every length: an error, never a panic or a wrong scenario.
        for n in 0..payload.len() {
            assert!(
                decode(&format!("s={}", &payload[..n])).is_err(),
                "cut at {n}"
            );
        }
        // Another version.
        let mut bytes = b64_decode(payload).unwrap();
        bytes[0] = 9;
        assert_eq!(
            decode(&format!("s={}", b64_encode(&bytes))),
            Err(LinkError::Version(9))
        );
        // Any single edited character is caught.
        let mut rng = Pcg32::new(11, 3);
        for _ in 0..500 {
            let mut chars: Vec<u8> = payload.bytes().collect();
            let i = rng.below(chars.len() as u32) as usize;
            let c = B64[rng.below(64) as usize];
            if chars[i] == c {
                continue;
            }
            chars[i] = c;
            let edited = String::from_utf8(chars).unwrap();
            if let Ok((text, _)) = decode(&format!("s={edited}")) {
                // Only the unused low bits of the last character may change
                // nothing.
                assert_eq!(text, SAMPLES[0]);
            }
        }
        // Random bytes.
        for _ in 0..2000 {
            let n = rng.below(64) as usize;
            let bytes: Vec<u8> = (0..n).map(|_| rng.below(256) as u8).collect();
            let _ = decompress(&bytes, 4096);
            let _ = decode(&format!("s={}", b64_encode(&bytes)));
        }
    }

    #[test]
    fn fragment_parameters_are_read_and_set_in_place() {
        assert_eq!(param("#s=abc&t=5&lang=zh", "lang"), Some("zh"));
        assert_eq!(param("s=abc&t=5", "t"), Some("5"));
        assert_eq!(param("step=3", "s"), None, "a key is matched whole");
        assert_eq!(
            with_param("#s=abc&t=5", "lang", Some("zh")),
            "s=abc&t=5&lang=zh"
        );
        assert_eq!(with_param("lang=zh&t=5", "lang", Some("en")), "lang=en&t=5");
        assert_eq!(with_param("s=a&lang=zh", "lang", None), "s=a");
        assert_eq!(with_param("", "lang", Some("zh")), "lang=zh");
        // A share link with a language still decodes.
        let frag = with_param(&encode(SAMPLES[1], 7), "lang", Some("zh"));
        assert_eq!(decode(&frag).unwrap(), (SAMPLES[1].to_string(), Some(7)));
    }

    #[test]
    fn a_bomb_is_refused() {
        // Matches of the maximum length, repeated: tiny input, huge output.
        let mut bomb = vec![0u8, b'x'];
        for _ in 0..20_000 {
            bomb.extend([0xff, 1]);
        }
        assert_eq!(decompress(&bomb, MAX_JSON), Err(LinkError::TooLarge));
        let mut payload = vec![VERSION, 0, 0, 0, 0];
        payload.extend(bomb);
        assert_eq!(
            decode(&format!("s={}", b64_encode(&payload))),
            Err(LinkError::TooLarge)
        );
    }
}
