//! RSA public keys for the Kalshi-compatible surface: parsing what an operator registers (PEM or
//! DER, SubjectPublicKeyInfo or PKCS#1) into the one form the registry stores
//! (SubjectPublicKeyInfo DER), and verifying RSA-PSS signatures with ring.
//!
//! ring verifies `RSA_PSS_2048_8192_SHA256`: SHA-256, MGF1 with SHA-256, a salt as long as the
//! digest (32 bytes), a modulus of 2,048 to 8,192 bits. That is exactly the scheme Kalshi's
//! clients sign with. (The `rsa` crate is avoided: about ten times slower here, and RUSTSEC-2023-0071.)

use base64::Engine as _;

/// The DER of the rsaEncryption algorithm identifier's OID (1.2.840.113549.1.1.1).
const RSA_ENCRYPTION_OID: [u8; 9] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const MIN_MODULUS_BITS: usize = 2_048;
const MODULUS_BITS_MAX: usize = 8_192;
/// The smallest public exponent accepted: FIPS 186-4's bound (e > 2^16), which every common key
/// generator meets with 65,537. Smaller ones (3, 17) verify correctly with PSS, but only keys
/// made by unusual tools have them, and such keys are worth a second look before they trade.
const MIN_EXPONENT: u64 = 65_537;
/// The largest: 2^32 - 1, inside ring's limit (2^33 - 1); no generator goes beyond 32 bits.
const EXPONENT_MAX: u64 = (1 << 32) - 1;

/// One DER element: its tag and contents, and what follows it.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let len = rest[..count].iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        // Definite, minimal lengths only (DER).
        if len < 0x80 || rest[0] == 0 {
            return None;
        }
        (len, &rest[count..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

fn der(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(contents);
    out
}

/// Checks a PKCS#1 RSAPublicKey (`SEQUENCE { modulus INTEGER, publicExponent INTEGER }`): a
/// positive, odd modulus of 2,048 to 8,192 bits (ring's range) and an odd exponent from 65,537 to
/// 2^32 - 1 ([`MIN_EXPONENT`], [`EXPONENT_MAX`]).
fn check_pkcs1(pkcs1: &[u8]) -> Result<(), String> {
    let (tag, body, rest) = element(pkcs1).ok_or("not DER")?;
    if tag != 0x30 || !rest.is_empty() {
        return Err("an RSAPublicKey is one DER SEQUENCE".into());
    }
    let (tag, modulus, body) = element(body).ok_or("no modulus")?;
    let (tag_e, exponent, body) = element(body).ok_or("no public exponent")?;
    if tag != 0x02 || tag_e != 0x02 || !body.is_empty() {
        return Err("an RSAPublicKey holds two INTEGERs".into());
    }
    let strip = |int: &[u8]| -> Result<Vec<u8>, String> {
        match int {
            [] => Err("an empty INTEGER".into()),
            [first, ..] if first & 0x80 != 0 => Err("a negative INTEGER".into()),
            [0, second, ..] if second & 0x80 == 0 => Err("a non-minimal INTEGER".into()),
            [0, rest @ ..] => Ok(rest.to_vec()),
            _ => Ok(int.to_vec()),
        }
    };
    let modulus = strip(modulus)?;
    let exponent = strip(exponent)?;
    let bits = modulus.len() * 8 - modulus.first().map_or(8, |b| b.leading_zeros() as usize);
    if !(MIN_MODULUS_BITS..=MODULUS_BITS_MAX).contains(&bits) {
        return Err(format!("the modulus has {bits} bits; 2,048 to 8,192 are accepted"));
    }
    if modulus.last().is_some_and(|b| b % 2 == 0) {
        return Err("the modulus is even, so it is no RSA modulus".into());
    }
    let e = exponent.iter().fold(0u64, |acc, b| acc.saturating_mul(256).saturating_add(u64::from(*b)));
    if exponent.len() > 5 || !(MIN_EXPONENT..=EXPONENT_MAX).contains(&e) || e.is_multiple_of(2) {
        let shown = if exponent.len() > 8 { "a very large number".to_string() } else { e.to_string() };
        return Err(format!("the public exponent is {shown}; an odd exponent from 65,537 to 2^32 - 1 is accepted"));
    }
    Ok(())
}

/// The PKCS#1 RSAPublicKey inside a SubjectPublicKeyInfo, if it is one for rsaEncryption.
pub fn spki_to_pkcs1(spki: &[u8]) -> Option<&[u8]> {
    let (tag, body, rest) = element(spki)?;
    if tag != 0x30 || !rest.is_empty() {
        return None;
    }
    let (tag, algorithm, body) = element(body)?;
    let (tag_bits, bits, rest) = element(body)?;
    if tag != 0x30 || tag_bits != 0x03 || !rest.is_empty() {
        return None;
    }
    let (tag_oid, oid, parameters) = element(algorithm)?;
    if tag_oid != 0x06 || oid != RSA_ENCRYPTION_OID || !(parameters.is_empty() || parameters == [0x05, 0x00]) {
        return None;
    }
    // A BIT STRING: the count of unused bits (0), then the RSAPublicKey.
    match bits.split_first() {
        Some((0, pkcs1)) => Some(pkcs1),
        _ => None,
    }
}

fn pkcs1_to_spki(pkcs1: &[u8]) -> Vec<u8> {
    let mut algorithm = der(0x06, &RSA_ENCRYPTION_OID);
    algorithm.extend_from_slice(&[0x05, 0x00]);
    let mut body = der(0x30, &algorithm);
    let mut bits = vec![0];
    bits.extend_from_slice(pkcs1);
    body.extend(der(0x03, &bits));
    der(0x30, &body)
}

/// Parses an RSA public key as an operator supplies it (PEM `PUBLIC KEY` or `RSA PUBLIC KEY`, or
/// the same in DER) into SubjectPublicKeyInfo DER, refusing anything ring would not verify with.
pub fn parse_public_key(input: &[u8]) -> Result<Vec<u8>, String> {
    let der_bytes = match std::str::from_utf8(input).ok().filter(|t| t.contains("-----BEGIN")) {
        Some(text) => pem_body(text)?,
        None => input.to_vec(),
    };
    let spki = match spki_to_pkcs1(&der_bytes) {
        Some(_) => der_bytes,
        None => pkcs1_to_spki(&der_bytes),
    };
    let pkcs1 = spki_to_pkcs1(&spki).ok_or("not an RSA public key")?;
    check_pkcs1(pkcs1).map_err(|e| format!("not a usable RSA public key: {e}"))?;
    Ok(spki)
}

fn pem_body(text: &str) -> Result<Vec<u8>, String> {
    let mut lines = text.lines().map(str::trim).skip_while(|l| !l.starts_with("-----BEGIN"));
    let begin = lines.next().ok_or("no PEM block")?;
    if begin != "-----BEGIN PUBLIC KEY-----" && begin != "-----BEGIN RSA PUBLIC KEY-----" {
        return Err(format!("expected a PUBLIC KEY or RSA PUBLIC KEY PEM block, found {begin:?}"));
    }
    let body: String = lines.take_while(|l| !l.starts_with("-----END")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).map_err(|_| "the PEM body is not base64".to_string())
}

/// Whether `signature` is a valid RSA-PSS (SHA-256, salt = digest length) signature of `message`
/// by the key whose PKCS#1 form is `pkcs1`.
pub fn verify_pss(pkcs1: &[u8], message: &[u8], signature: &[u8]) -> bool {
    ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PSS_2048_8192_SHA256, pkcs1)
        .verify(message, signature)
        .is_ok()
}

/// The message a Kalshi client signs: the timestamp in milliseconds, the method, and the path
/// (with the `/trade-api/...` prefix, without the query), concatenated with nothing between.
pub fn signing_message(timestamp_ms: &str, method: &str, path: &str) -> String {
    format!("{timestamp_ms}{method}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC_PEM: &str = include_str!("../../tests/fixtures/kalshi-test-rsa-1.pub.pem");
    const OTHER_PEM: &str = include_str!("../../tests/fixtures/kalshi-test-rsa-2.pub.pem");
    /// Made once with Python's `cryptography` (PSS, MGF1-SHA256, salt = digest length) and the
    /// fixture's private key, over `1700000000000POST/trade-api/v2/portfolio/orders`.
    const SIGNATURE: &str = "hvNA6AA2XP79CkuQSiZnf63HklL40yXKW6xHd/C++8Chv2G3Ui6p0pVwj7pveEoVbQx7rEHWA6VV1MRLOeJ/mrsfbhfHcBVnfSD6PRB2cQFn9emHCgJdgj9NY4l4x8/35otaJQ2RNqGQ6xt0a7CUj44K4L/z2we+RWGYzvdlz3VfKdLKnYcFJ07DX1evhQ69wpsEBpWrZvvaz6D177Fygwton3Ovi75yLBxdao0L5X0ZiH2nW91Oez3aSAPG+JhpKFgovRt1fYdq4O/Q26BlSUBm0E3aTsxGA1HN6b14PCSudVoQ6st1ZFQLxfy7MQHglvYfJnAni+BIjrs5ID/wdA==";

    #[test]
    fn a_pss_signature_from_python_verifies_and_nothing_else_does() {
        let spki = parse_public_key(PUBLIC_PEM.as_bytes()).unwrap();
        let pkcs1 = spki_to_pkcs1(&spki).unwrap();
        let signature = base64::engine::general_purpose::STANDARD.decode(SIGNATURE).unwrap();
        let message = signing_message("1700000000000", "POST", "/trade-api/v2/portfolio/orders");
        assert!(verify_pss(pkcs1, message.as_bytes(), &signature));
        // Another method, path, timestamp, key, or a flipped bit: refused.
        for other in
            ["1700000000000GET/trade-api/v2/portfolio/orders", "1700000000001POST/trade-api/v2/portfolio/orders"]
        {
            assert!(!verify_pss(pkcs1, other.as_bytes(), &signature), "{other}");
        }
        let other_key = parse_public_key(OTHER_PEM.as_bytes()).unwrap();
        assert!(!verify_pss(spki_to_pkcs1(&other_key).unwrap(), message.as_bytes(), &signature));
        let mut flipped = signature.clone();
        flipped[10] ^= 1;
        assert!(!verify_pss(pkcs1, message.as_bytes(), &flipped));
    }

    #[test]
    fn keys_parse_from_pem_or_der_in_either_form_to_the_same_spki() {
        let spki = parse_public_key(PUBLIC_PEM.as_bytes()).unwrap();
        assert_eq!(parse_public_key(&spki).unwrap(), spki, "DER SubjectPublicKeyInfo");
        let pkcs1 = spki_to_pkcs1(&spki).unwrap().to_vec();
        assert_eq!(parse_public_key(&pkcs1).unwrap(), spki, "DER PKCS#1");
        let pem = format!(
            "-----BEGIN RSA PUBLIC KEY-----\n{}\n-----END RSA PUBLIC KEY-----\n",
            base64::engine::general_purpose::STANDARD.encode(&pkcs1)
        );
        assert_eq!(parse_public_key(pem.as_bytes()).unwrap(), spki, "PEM PKCS#1");
    }

    #[test]
    fn unusable_keys_are_refused_with_a_reason() {
        assert!(parse_public_key(b"").is_err());
        assert!(parse_public_key(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").is_err());
        // A 1,024-bit modulus: too short for RSA_PSS_2048_8192_SHA256.
        let mut modulus = vec![0u8; 129];
        modulus[1] = 0xc1;
        let mut body = der(0x02, &modulus);
        body.extend(der(0x02, &[1, 0, 1]));
        let small = der(0x30, &body);
        assert!(parse_public_key(&small).unwrap_err().contains("1024 bits"));
        // An even exponent; exponents below 65,537 or above 2^32 - 1; an even modulus.
        let key = |modulus_last: u8, exponent: &[u8]| {
            let mut modulus = vec![0u8; 257];
            modulus[1] = 0xc1;
            modulus[256] = modulus_last;
            let mut body = der(0x02, &modulus);
            body.extend(der(0x02, exponent));
            parse_public_key(&der(0x30, &body))
        };
        for exponent in [&[2][..], &[3], &[0, 0xff, 0xff], &[1, 0, 0, 0, 1], &[0, 0x80, 0, 0, 0, 1]] {
            assert!(key(1, exponent).unwrap_err().contains("exponent"), "{exponent:?}");
        }
        assert!(key(2, &[1, 0, 1]).unwrap_err().contains("even"));
        assert!(key(1, &[1, 0, 1]).is_ok());
        assert!(key(1, &[0, 0xff, 0xff, 0xff, 0xff]).is_ok(), "2^32 - 1");
    }
}
