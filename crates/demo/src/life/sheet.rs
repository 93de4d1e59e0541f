//! The 签到表 kept with a demo record (REC-13): a one-page PDF naming the meeting, its date,
//! time and place, who chaired and who kept the record, and how many attended, as a scan of the
//! signed sheet would. Kept small (about a kilobyte) because nearly every demo record has one:
//! the text uses the standard Chinese font STSong-Light, which PDF readers supply, so nothing is
//! embedded (Latin letters and digits half as wide as the Chinese ones).

/// What the sheet says about the meeting.
pub(crate) struct Sheet<'a> {
    pub title: &'a str,
    pub held_on: &'a str,
    pub times: Option<(&'a str, &'a str)>,
    pub place: &'a str,
    pub host: &'a str,
    pub recorder: &'a str,
    pub expected: i64,
    pub present: i64,
}

/// A PDF literal string of `s` in the UniGB-UCS2-H encoding: its UTF-16BE bytes, with the bytes
/// a literal string cannot hold as they are escaped (half the size of a hex string).
fn text(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 2 + 2);
    out.push(b'(');
    for b in s.encode_utf16().flat_map(u16::to_be_bytes) {
        match b {
            b'(' | b')' | b'\\' => out.extend([b'\\', b]),
            b'\n' => out.extend(*b"\\n"),
            b'\r' => out.extend(*b"\\r"),
            _ => out.push(b),
        }
    }
    out.push(b')');
    out
}

impl Sheet<'_> {
    /// The file's name: `签到表-2026-03-15.pdf`.
    pub fn name(&self) -> String {
        format!("签到表-{}.pdf", self.held_on)
    }

    /// The PDF.
    pub fn pdf(&self) -> Vec<u8> {
        let when = match self.times {
            Some((a, b)) => format!("{} {a}—{b}　{}", self.held_on, self.place),
            None => format!("{}　{}", self.held_on, self.place),
        };
        let lines = [
            (22, 265, "签到表".to_string()),
            (14, 60, self.title.to_string()),
            (12, 60, when),
            (12, 60, format!("主持人：{}　记录人：{}", self.host, self.recorder)),
            (12, 60, format!("应到 {} 人，实到 {} 人（签名见原件）", self.expected, self.present)),
        ];
        page(&lines)
    }
}

/// A one-page PDF of text lines (font size, left margin, text), 30 points apart from the top;
/// the text in STSong-Light, which PDF readers supply, so nothing is embedded.
pub(crate) fn page(lines: &[(i32, i32, String)]) -> Vec<u8> {
    let mut content = Vec::new();
    for (i, (size, x, line)) in lines.iter().enumerate() {
        content.extend(format!("BT/F {size} Tf {x} {} Td", 780 - 30 * i).as_bytes());
        content.extend(text(line));
        content.extend(b"Tj ET\n");
    }
    let mut objects: Vec<Vec<u8>> = [
        "<</Type/Catalog/Pages 2 0 R>>",
        "<</Type/Pages/Kids[3 0 R]/Count 1>>",
        "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F 4 0 R>>>>/Contents 5 0 R>>",
        "<</Type/Font/Subtype/Type0/BaseFont/STSong-Light/Encoding/UniGB-UCS2-H/DescendantFonts[<</Type/Font\
         /Subtype/CIDFontType0/BaseFont/STSong-Light/CIDSystemInfo<</Registry(Adobe)/Ordering(GB1)/Supplement 2>>\
         /FontDescriptor 6 0 R/W[1 95 500]>>]>>",
    ]
    .iter()
    .map(|o| o.as_bytes().to_vec())
    .collect();
    let mut stream = format!("<</Length {}>>stream\n", content.len()).into_bytes();
    stream.extend(content);
    stream.extend(b"\nendstream");
    objects.push(stream);
    objects.push(
        b"<</Type/FontDescriptor/FontName/STSong-Light/Flags 4/FontBBox[0 -200 1000 900]/ItalicAngle 0/Ascent 900\
          /Descent -200/CapHeight 700/StemV 80>>"
            .to_vec(),
    );
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend(o);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend(format!("trailer<</Size {}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_pdf_whose_cross_references_point_at_its_objects() {
        let s = Sheet {
            title: "2026年3月主题党日：学习党章",
            held_on: "2026-03-15",
            times: Some(("09:00", "11:30")),
            place: "苟家村党群服务中心会议室",
            host: "张三",
            recorder: "李四",
            expected: 12,
            present: 11,
        };
        let pdf = s.pdf();
        assert!(pdf.starts_with(b"%PDF-") && pdf.ends_with(b"%%EOF\n"));
        assert!(pdf.len() < 1200, "{} bytes", pdf.len());
        assert_eq!(store::life::sniff(&s.name(), &pdf), Ok("application/pdf"), "accepted as an upload would be");
        let find = |needle: &[u8]| pdf.windows(needle.len()).position(|w| w == needle);
        let start = find(b"startxref\n").unwrap() + 10;
        let at: usize = std::str::from_utf8(&pdf[start..]).unwrap().lines().next().unwrap().parse().unwrap();
        assert!(pdf[at..].starts_with(b"xref"));
        let table = std::str::from_utf8(&pdf[at..]).unwrap();
        for (i, line) in table.lines().skip(3).take(6).enumerate() {
            let off: usize = line[..10].parse().unwrap();
            assert!(pdf[off..].starts_with(format!("{} 0 obj", i + 1).as_bytes()), "object {}", i + 1);
        }
        assert!(find(&text("签到表")).is_some() && find(&text("应到 12 人，实到 11 人（签名见原件）")).is_some());
        // the bytes a literal string cannot hold are escaped: ( is 0x00 0x28, U+0A0A two line feeds
        assert_eq!(text("("), vec![b'(', 0, b'\\', b'(', b')']);
        assert_eq!(text("\u{0a0a}"), vec![b'(', b'\\', b'n', b'\\', b'n', b')']);
    }
}
