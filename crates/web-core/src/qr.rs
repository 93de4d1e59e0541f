//! QR codes drawn on the server as SVG, for enrolling a phone's authenticator: the page works on
//! an offline intranet and without JavaScript, and the secret never leaves the server to be drawn.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// `text` as an inline SVG QR code (dark modules on white, with the quiet zone), sized for a
/// phone camera at arm's length; empty when the text is too long for a QR code.
pub fn svg(text: &str) -> String {
    match QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M) {
        Ok(code) => code
            .render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .quiet_zone(true)
            .build()
            // an XML declaration, if any, is not wanted inside an HTML page
            .split_once("<svg")
            .map(|(_, rest)| format!("<svg{}", rest.trim_end()))
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_otpauth_uri_becomes_an_inline_svg() {
        let s = super::svg("otpauth://totp/dangjian:zzb?secret=JBSWY3DPEHPK3PXP&issuer=dangjian");
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"), "{}", &s[..s.len().min(80)]);
        assert!(s.contains("#000000"));
        assert!(super::svg(&"x".repeat(5000)).is_empty());
    }
}
