//! Plain-text tables that line up Chinese (double-width) text.

use unicode_width::UnicodeWidthStr;

pub fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let n = headers.len();
    let mut w: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(n) {
            w[i] = w[i].max(c.width());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(w[i].saturating_sub(c.width())));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(headers.to_vec());
    out.push_str(&line(w.iter().map(|n| "─".repeat(*n)).collect::<Vec<_>>().iter().map(String::as_str).collect()));
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}

/// `键    值` with the key padded to a fixed display width.
pub fn kv(k: &str, v: &str) -> String {
    format!("{k}{}  {v}", " ".repeat(12usize.saturating_sub(k.width())))
}

#[cfg(test)]
mod tests {
    #[test]
    fn aligns_wide_text() {
        let t = super::render(&["名称", "n"], &[vec!["党支部".into(), "3".into()], vec!["ab".into(), "10".into()]]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "名称    n");
        assert_eq!(lines[2], "党支部  3");
        assert_eq!(lines[3], "ab      10");
    }
}
