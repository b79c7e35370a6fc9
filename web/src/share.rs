//! Share links: a scenario compressed into the URL fragment, so that
//! opening the link rebuilds the same run (the same trace hash).
//!
//! Format: `#s=<payload>&t=<ms>[&lang=zh]` where payload is base64url (no
//! padding; the `base64` crate) of `[version byte][data]`. `t` is the
//! moment shown when the link was made; `lang` the interface language
//! (any link may carry it; [`param`] / [`with_param`] read and set it).
//!
//! - Version 2 (what [`encode`] makes): the data is a zlib stream of the
//!   scenario JSON (`miniz_oxide`, RFC 1950: deflate with an Adler-32 of
//!   the JSON, which catches an edited or cut link). Any zlib tool reads
//!   it: base64url-decode, drop the first byte, inflate.
//! - Version 1 (read only, [`v1`]): the links made before version 2, with
//!   a hand-written LZ77 and an FNV checksum.
//!
//! Decoding never panics and never allocates without bound: every way a
//! link can be broken (cut short, edited, another version, too large, not
//! a scenario) is a [`LinkError`] for the user, and the current run stays.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use miniz_oxide::inflate::TINFLStatus;

mod v1;

/// The version [`encode`] writes.
const VERSION: u8 = 2;
/// The versions [`decode`] reads.
const READS: &str = "1 and 2";
/// zlib level: 9, the best miniz_oxide offers short of its slow "uber".
const LEVEL: u8 = 9;
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
            LinkError::Version(v) => write!(f, "format version {v}, this build reads {READS}"),
            LinkError::Corrupt => write!(f, "the compressed data is cut or damaged"),
            LinkError::Checksum => write!(f, "checksum mismatch"),
            LinkError::TooLarge => write!(f, "larger than {MAX_JSON} bytes"),
            LinkError::Time => write!(f, "t= is not a time in ms"),
        }
    }
}

/// base64url without padding.
pub fn b64_encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The inverse of [`b64_encode`]; `None` for any other character, a
/// length no encoding has, or unused low bits that are not zero.
pub fn b64_decode(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s).ok()
}

/// The JSON bytes of a version-2 payload (after its version byte).
fn inflate(zlib: &[u8], max: usize) -> Result<Vec<u8>, LinkError> {
    miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(zlib, max).map_err(|e| match e.status {
        TINFLStatus::HasMoreOutput => LinkError::TooLarge,
        TINFLStatus::Adler32Mismatch => LinkError::Checksum,
        _ => LinkError::Corrupt,
    })
}

/// The fragment (without `#`) that carries `json` and the moment `t_ms`
/// (version 2).
pub fn encode(json: &str, t_ms: u64) -> String {
    let mut bytes = vec![VERSION];
    bytes.extend(miniz_oxide::deflate::compress_to_vec_zlib(
        json.as_bytes(),
        LEVEL,
    ));
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
    let json = match version {
        1 => v1::decode(rest, MAX_JSON)?,
        2 => inflate(rest, MAX_JSON)?,
        v => return Err(LinkError::Version(v)),
    };
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

    fn payload(frag: &str) -> &str {
        frag.trim_start_matches("s=").split('&').next().unwrap()
    }

    #[test]
    fn round_trips_and_compresses_scenarios() {
        for s in SAMPLES {
            let frag = encode(s, 1234);
            let packed = b64_decode(payload(&frag)).unwrap();
            assert_eq!(packed[0], VERSION);
            assert!(
                packed.len() < s.len() * 3 / 4, // version 1 promised 9/10
                "{} -> {}",
                s.len(),
                packed.len()
            );
            assert!(frag
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"-_=&".contains(&c)));
            assert_eq!(decode(&frag).unwrap(), (s.to_string(), Some(1234)));
            assert_eq!(decode(&format!("#{frag}")).unwrap().1, Some(1234));
            // Any zlib inflater reads the data after the version byte.
            assert_eq!(
                miniz_oxide::inflate::decompress_to_vec_zlib(&packed[1..]).unwrap(),
                s.as_bytes()
            );
        }
        for s in [
            "",
            "a",
            "ab",
            "abc",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "中文 ✓",
        ] {
            assert_eq!(decode(&encode(s, 0)).unwrap().0, s);
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
        assert_eq!(b64_decode("AQ=="), None, "no padding");
    }

    #[test]
    fn broken_links_are_errors_not_panics() {
        let good = encode(SAMPLES[0], 5);
        assert_eq!(decode("t=5"), Err(LinkError::Missing));
        assert_eq!(decode("s=%%%"), Err(LinkError::Encoding));
        assert_eq!(decode("s="), Err(LinkError::Corrupt));
        assert_eq!(
            decode(&good.replace("&t=5", "&t=soon")),
            Err(LinkError::Time)
        );
        let payload = payload(&good);
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
        // The Adler-32 at the end of the zlib stream.
        let mut bytes = b64_decode(payload).unwrap();
        *bytes.last_mut().unwrap() ^= 1;
        assert_eq!(
            decode(&format!("s={}", b64_encode(&bytes))),
            Err(LinkError::Checksum)
        );
        // Any single edited character is caught.
        let mut rng = Pcg32::new(11, 3);
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for _ in 0..500 {
            let mut chars: Vec<u8> = payload.bytes().collect();
            let i = rng.below(chars.len() as u32) as usize;
            let c = alphabet[rng.below(64) as usize];
            if chars[i] == c {
                continue;
            }
            chars[i] = c;
            let edited = String::from_utf8(chars).unwrap();
            assert!(decode(&format!("s={edited}")).is_err(), "{edited}");
        }
        // Random bytes after the version byte.
        for _ in 0..2000 {
            let n = rng.below(64) as usize;
            let mut bytes: Vec<u8> = (0..n).map(|_| rng.below(256) as u8).collect();
            if let Some(b) = bytes.first_mut() {
                *b = VERSION;
            }
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
        // A megabyte and one of zeros deflates to about a kilobyte.
        let big = vec![b' '; MAX_JSON + 1];
        let mut payload = vec![VERSION];
        payload.extend(miniz_oxide::deflate::compress_to_vec_zlib(&big, LEVEL));
        assert!(payload.len() < 4096);
        assert_eq!(
            decode(&format!("s={}", b64_encode(&payload))),
            Err(LinkError::TooLarge)
        );
        assert_eq!(
            inflate(&payload[1..], MAX_JSON + 1).unwrap().len(),
            MAX_JSON + 1
        );
    }
}
