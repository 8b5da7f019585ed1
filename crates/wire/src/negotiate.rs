//! Content negotiation: `Content-Type` of the request, `Accept` and `Accept-Language` of the
//! answer.
//!
//! Written by hand because the rules are small and specific to this API (two formats,
//! `text/xml` as an alias, UTF-8 only, ties going to the request's own format) and the
//! general-purpose header crates either do not honour q-values or pull in a web framework.

use crate::{Failure, Format, Lang};

/// One element of a comma-separated header list: the value, its q-value in thousandths,
/// and its position.
struct Element<'a> {
    value: &'a str,
    quality: u16,
    position: usize,
}

/// Splits `header` into elements, reading each one's `q` parameter (default 1). An element
/// whose q-value is malformed is ignored, as RFC 9110 suggests for invalid preferences.
fn elements(header: &str) -> impl Iterator<Item = Element<'_>> {
    header
        .split(',')
        .enumerate()
        .filter_map(|(position, element)| {
            let (value, params) = element.split_once(';').unwrap_or((element, ""));
            let value = value.trim();
            if value.is_empty() {
                return None;
            }
            let mut quality = 1000;
            for param in params.split(';') {
                let Some((name, raw)) = param.split_once('=') else {
                    continue;
                };
                if name.trim().eq_ignore_ascii_case("q") {
                    quality = parse_quality(raw.trim())?;
                }
            }
            Some(Element {
                value,
                quality,
                position,
            })
        })
}

/// Parses a q-value (`0`, `0.5`, `1.000`) into thousandths.
fn parse_quality(raw: &str) -> Option<u16> {
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .fold(0u16, |n, b| n * 10 + u16::from(b - b'0'));
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// The format of a request body from its `Content-Type`: `application/json`,
/// `application/xml` or `text/xml`, optionally with `charset=utf-8`.
pub fn request_format(content_type: Option<&str>) -> Result<Format, Failure> {
    let Some(header) = content_type else {
        return Err(Failure::UnsupportedContentType(None));
    };
    let (media, params) = header.split_once(';').unwrap_or((header, ""));
    let format = match_media(media.trim())
        .ok_or_else(|| Failure::UnsupportedContentType(Some(header.trim().to_owned())))?;
    for param in params.split(';') {
        let Some((name, value)) = param.split_once('=') else {
            continue;
        };
        if name.trim().eq_ignore_ascii_case("charset") {
            let charset = value.trim().trim_matches('"');
            if !(charset.eq_ignore_ascii_case("utf-8") || charset.eq_ignore_ascii_case("utf8")) {
                return Err(Failure::UnsupportedCharset(charset.to_owned()));
            }
        }
    }
    Ok(format)
}

fn match_media(media: &str) -> Option<Format> {
    if media.eq_ignore_ascii_case("application/json") {
        Some(Format::Json)
    } else if media.eq_ignore_ascii_case("application/xml")
        || media.eq_ignore_ascii_case("text/xml")
    {
        Some(Format::Xml)
    } else {
        None
    }
}

/// How well a media range of an Accept header matches a format: 3 exact, 2 `type/*`,
/// 1 `*/*`, `None` not at all.
fn specificity(range: &str, format: Format) -> Option<u8> {
    if match_media(range) == Some(format) {
        return Some(3);
    }
    let (kind, subtype) = range.split_once('/')?;
    let (kind, subtype) = (kind.trim(), subtype.trim());
    if subtype != "*" {
        return None;
    }
    if kind == "*" {
        return Some(1);
    }
    let matches_type = match format {
        Format::Json => kind.eq_ignore_ascii_case("application"),
        Format::Xml => {
            kind.eq_ignore_ascii_case("application") || kind.eq_ignore_ascii_case("text")
        }
    };
    matches_type.then_some(2)
}

/// The format of the answer. `request` is the request's format when it could be told.
///
/// No `Accept`, or one that likes both formats equally (`*/*`): the request's format, or
/// JSON when that is unknown. Otherwise the format with the highest q-value, where the most
/// specific range that matches a format decides its q-value; equal q-values go to the
/// request's format, then to the one listed first. Nothing acceptable: code 15.
pub fn response_format(accept: Option<&str>, request: Option<Format>) -> Result<Format, Failure> {
    let fallback = request.unwrap_or(Format::Json);
    let Some(header) = accept.filter(|h| !h.trim().is_empty()) else {
        return Ok(fallback);
    };
    // For each format: (specificity, quality, position) of the best-matching range.
    let mut best: [Option<(u8, u16, usize)>; 2] = [None, None];
    for element in elements(header) {
        for (slot, format) in [Format::Json, Format::Xml].into_iter().enumerate() {
            let Some(spec) = specificity(element.value, format) else {
                continue;
            };
            let better = match best[slot] {
                None => true,
                Some((s, _, _)) => spec > s,
            };
            if better {
                best[slot] = Some((spec, element.quality, element.position));
            }
        }
    }
    let score = |slot: usize| best[slot].filter(|(_, q, _)| *q > 0);
    let chosen = match (score(0), score(1)) {
        (None, None) => return Err(Failure::NotAcceptable(header.trim().to_owned())),
        (Some(_), None) => Format::Json,
        (None, Some(_)) => Format::Xml,
        (Some((_, qj, pj)), Some((_, qx, px))) => {
            if qj != qx {
                if qj > qx { Format::Json } else { Format::Xml }
            } else if let Some(request) = request {
                request
            } else if pj <= px {
                Format::Json
            } else {
                Format::Xml
            }
        }
    };
    Ok(chosen)
}

/// The language of `resultDesc`: English when the header prefers `en` to `ko`, Korean
/// otherwise (and when there is no header).
pub fn language(accept_language: Option<&str>) -> Lang {
    preferred_language(accept_language).unwrap_or(Lang::Ko)
}

/// Which of Korean and English `Accept-Language` prefers (by quality, then by position);
/// `None` when it names neither with a quality above zero. The one reading of the header:
/// the vendor API falls back to Korean, as SSG does; the platform API to English.
pub fn preferred_language(accept_language: Option<&str>) -> Option<Lang> {
    let header = accept_language?;
    let mut ko: Option<(u16, usize)> = None;
    let mut en: Option<(u16, usize)> = None;
    for element in elements(header) {
        let primary = element.value.split('-').next().unwrap_or("");
        let slot = if primary.eq_ignore_ascii_case("en") {
            &mut en
        } else if primary.eq_ignore_ascii_case("ko") {
            &mut ko
        } else {
            continue;
        };
        if slot.is_none_or(|(q, _)| element.quality > q) {
            *slot = Some((element.quality, element.position));
        }
    }
    let en = en.filter(|(q, _)| *q > 0);
    let ko = ko.filter(|(q, _)| *q > 0);
    match (en, ko) {
        (Some((qe, pe)), Some((qk, pk))) if qe > qk || (qe == qk && pe < pk) => Some(Lang::En),
        (Some(_), None) => Some(Lang::En),
        (_, Some(_)) => Some(Lang::Ko),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        assert_eq!(request_format(Some("application/json")), Ok(Format::Json));
        assert_eq!(
            request_format(Some("Application/JSON; charset=UTF-8")),
            Ok(Format::Json)
        );
        assert_eq!(request_format(Some("application/xml")), Ok(Format::Xml));
        assert_eq!(
            request_format(Some("text/xml;charset=\"utf-8\"")),
            Ok(Format::Xml)
        );
        assert_eq!(
            request_format(None),
            Err(Failure::UnsupportedContentType(None))
        );
        assert_eq!(
            request_format(Some("text/plain")),
            Err(Failure::UnsupportedContentType(Some("text/plain".into())))
        );
        assert_eq!(
            request_format(Some("application/x-www-form-urlencoded")),
            Err(Failure::UnsupportedContentType(Some(
                "application/x-www-form-urlencoded".into()
            )))
        );
        assert_eq!(
            request_format(Some("application/xml; charset=euc-kr")),
            Err(Failure::UnsupportedCharset("euc-kr".into()))
        );
    }

    #[test]
    fn accept_defaults_to_the_request_format() {
        assert_eq!(response_format(None, Some(Format::Xml)), Ok(Format::Xml));
        assert_eq!(
            response_format(Some("*/*"), Some(Format::Xml)),
            Ok(Format::Xml)
        );
        assert_eq!(
            response_format(Some("application/*"), Some(Format::Json)),
            Ok(Format::Json)
        );
        assert_eq!(response_format(None, None), Ok(Format::Json));
        assert_eq!(
            response_format(Some(""), Some(Format::Xml)),
            Ok(Format::Xml)
        );
    }

    #[test]
    fn accept_picks_what_is_asked() {
        assert_eq!(
            response_format(Some("application/json"), Some(Format::Xml)),
            Ok(Format::Json)
        );
        assert_eq!(
            response_format(Some("text/xml"), Some(Format::Json)),
            Ok(Format::Xml)
        );
        assert_eq!(
            response_format(
                Some("application/xml;q=0.5, application/json;q=0.9"),
                Some(Format::Xml)
            ),
            Ok(Format::Json)
        );
        // The specific range beats the wildcard for the same format.
        assert_eq!(
            response_format(Some("*/*;q=1, application/json;q=0"), Some(Format::Json)),
            Ok(Format::Xml)
        );
        assert_eq!(
            response_format(Some("application/xml, application/json"), None),
            Ok(Format::Xml)
        );
        assert_eq!(
            response_format(Some("text/html, application/json;q=0.1"), None),
            Ok(Format::Json)
        );
    }

    #[test]
    fn nothing_acceptable_is_refused() {
        for header in ["text/html", "application/json;q=0", "image/*", "garbage"] {
            assert_eq!(
                response_format(Some(header), Some(Format::Json)),
                Err(Failure::NotAcceptable(header.into())),
                "{header}"
            );
        }
    }

    #[test]
    fn malformed_q_values_drop_the_element() {
        assert_eq!(
            response_format(Some("application/xml;q=2, application/json"), None),
            Ok(Format::Json)
        );
        assert_eq!(parse_quality("0.123"), Some(123));
        assert_eq!(parse_quality("1.000"), Some(1000));
        assert_eq!(parse_quality("1.001"), None);
        assert_eq!(parse_quality("0.1234"), None);
        assert_eq!(parse_quality(".5"), None);
    }

    #[test]
    fn languages() {
        assert_eq!(language(None), Lang::Ko);
        assert_eq!(language(Some("en")), Lang::En);
        assert_eq!(language(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(
            language(Some("ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7")),
            Lang::Ko
        );
        assert_eq!(language(Some("ko;q=0.5, en;q=0.8")), Lang::En);
        assert_eq!(language(Some("fr, de")), Lang::Ko);
        assert_eq!(language(Some("en;q=0")), Lang::Ko);
        assert_eq!(language(Some("*")), Lang::Ko);
    }
}
