//! Share links of version 1 (made until the link format moved to zlib):
//! read only, so that every link made before still opens. Nothing makes
//! version-1 links any more; their encoder is in the git history
//! (`web/src/share.rs` at 3f3e58d) and ten of its links are fixtures
//! (`web/tests/fixtures/share-v1-links.json`).
//!
//! After the version byte: `[checksum: 4 bytes LE][LZ-compressed JSON]`;
//! the checksum is the low 32 bits of FNV-1a over the JSON
//! (`zablab_core::trace`). The compressor was a small LZ77 of our own:
//! tokens are a literal run (`0xxxxxxx`: 1–128 bytes follow) or a match
//! (`1xxxxxxx`: length 3–130, then the distance as LEB128, 1..=32768).
//!
//! Must never panic or allocate past `max` bytes, whatever the input.

use zablab_core::trace::TraceHasher;

use super::LinkError;

const WINDOW: usize = 32 * 1024;
const MIN_MATCH: usize = 3;

fn checksum(bytes: &[u8]) -> u32 {
    let mut h = TraceHasher::new();
    h.bytes(bytes);
    h.finish() as u32
}

/// The JSON bytes of a version-1 payload (after its version byte).
pub(super) fn decode(rest: &[u8], max: usize) -> Result<Vec<u8>, LinkError> {
    if rest.len() < 4 {
        return Err(LinkError::Corrupt);
    }
    let (sum, packed) = rest.split_at(4);
    let want = u32::from_le_bytes([sum[0], sum[1], sum[2], sum[3]]);
    let json = decompress(packed, max)?;
    if checksum(&json) != want {
        return Err(LinkError::Checksum);
    }
    Ok(json)
}

/// The LZ77 decoder: `Corrupt` for anything the old encoder could not
/// have produced, `TooLarge` past `max` bytes.
pub(super) fn decompress(input: &[u8], max: usize) -> Result<Vec<u8>, LinkError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::share::{b64_decode, b64_encode, decode as decode_link, MAX_JSON};
    use zablab_core::rng::Pcg32;

    /// `(link, json)` of every fixture.
    fn fixtures() -> Vec<(String, String, u64)> {
        let text = include_str!("../../tests/fixtures/share-v1-links.json");
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["link"].as_str().unwrap().to_string(),
                    f["json"].as_str().unwrap().to_string(),
                    f["t"].as_u64().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn every_link_made_by_the_v1_encoder_still_opens() {
        let all = fixtures();
        assert_eq!(all.len(), 10);
        for (link, json, t) in all {
            assert_eq!(
                decode_link(&link).unwrap(),
                (json.clone(), Some(t)),
                "{link}"
            );
            assert_eq!(decode_link(&format!("#{link}")).unwrap().0, json);
            zablab_core::Scenario::from_json(&json).expect("a fixture opens to a scenario");
        }
    }

    #[test]
    fn broken_v1_links_are_errors_not_panics() {
        let (link, json, _) = &fixtures()[2];
        let payload = link.trim_start_matches("s=").split('&').next().unwrap();
        // Cut short at every length: an error, never a panic or a wrong scenario.
        for n in 0..payload.len() {
            assert!(
                decode_link(&format!("s={}", &payload[..n])).is_err(),
                "cut at {n}"
            );
        }
        // Any single edited character is caught.
        const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
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
            if let Ok((text, _)) = decode_link(&format!("s={edited}")) {
                assert_eq!(&text, json);
            }
        }
        // A wrong checksum.
        let mut bytes = b64_decode(payload).unwrap();
        bytes[1] ^= 1;
        assert_eq!(
            decode_link(&format!("s={}", b64_encode(&bytes))),
            Err(LinkError::Checksum)
        );
        // Random bytes.
        for _ in 0..2000 {
            let n = rng.below(64) as usize;
            let mut bytes: Vec<u8> = (0..n).map(|_| rng.below(256) as u8).collect();
            let _ = decompress(&bytes, 4096);
            if let Some(b) = bytes.first_mut() {
                *b = 1;
            }
            let _ = decode_link(&format!("s={}", b64_encode(&bytes)));
        }
    }

    #[test]
    fn the_lz77_decoder_reads_literals_and_overlapping_matches() {
        // Literal "ab", then a match of 6 at distance 2: "abababab".
        assert_eq!(
            decompress(&[1, b'a', b'b', 0x83, 2], 100).unwrap(),
            b"abababab"
        );
        assert_eq!(decompress(&[], 100).unwrap(), b"");
        assert_eq!(
            decompress(&[0x80, 1], 100),
            Err(LinkError::Corrupt),
            "no history"
        );
        assert_eq!(
            decompress(&[2, b'a'], 100),
            Err(LinkError::Corrupt),
            "cut literal"
        );
        assert_eq!(
            decompress(&[0, b'a', 0x80, 0x80, 0x80, 0x80, 1], 100),
            Err(LinkError::Corrupt)
        );
    }

    #[test]
    fn a_bomb_is_refused() {
        // Matches of the maximum length, repeated: tiny input, huge output.
        let mut bomb = vec![0u8, b'x'];
        for _ in 0..20_000 {
            bomb.extend([0xff, 1]);
        }
        assert_eq!(decompress(&bomb, MAX_JSON), Err(LinkError::TooLarge));
        let mut payload = vec![1, 0, 0, 0, 0];
        payload.extend(bomb);
        assert_eq!(
            decode_link(&format!("s={}", b64_encode(&payload))),
            Err(LinkError::TooLarge)
        );
    }
}
