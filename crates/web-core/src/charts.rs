//! Charts rendered on the server as inline SVG with `plotters` (no script, no fonts needed: the
//! text is SVG text the browser sets in the page's font). Calm colours: blues and greys, the party
//! red only for the built share of the service network.
//!
//! Every chart is followed on the page by its table (count and percentage), so nothing is shown
//! only as a picture; the SVG carries `role="img"` and an `aria-label`.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const INK: RGBColor = RGBColor(0x1f, 0x23, 0x29);
const MUTED: RGBColor = RGBColor(0x64, 0x6a, 0x73);
const TRACK: RGBColor = RGBColor(0xee, 0xf0, 0xf3);
const ACCENT: RGBColor = RGBColor(0xb3, 0x26, 0x1e);
/// Series colours, most prominent first.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x3d, 0x6a, 0x9e),
    RGBColor(0x8f, 0xab, 0xcc),
    RGBColor(0x5f, 0x6b, 0x7a),
    RGBColor(0xb8, 0xc4, 0xd2),
    RGBColor(0x2c, 0x4f, 0x78),
    RGBColor(0x9a, 0xa1, 0xab),
    RGBColor(0x6d, 0x8f, 0xb8),
    RGBColor(0xd3, 0xd8, 0xde),
];

const WIDTH: u32 = 460;
const FONT: f64 = 14.0;
const FAMILY: &str = "sans-serif";

/// The width a label takes at `size` px (CJK characters a full em, others about half).
fn text_width(s: &str, size: f64) -> f64 {
    s.chars().map(|c| if c.is_ascii() { 0.56 } else { 1.0 }).sum::<f64>() * size
}

fn percent(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    }
}

fn style(size: f64, color: &RGBColor, h: HPos) -> TextStyle<'_> {
    // plotters writes the size divided by 1.24 (its points-to-pixels guess)
    TextStyle::from((FAMILY, size * 1.24).into_font()).color(color).pos(Pos::new(h, VPos::Center))
}

/// Label the SVG for assistive technology.
fn finish(svg: String, title: &str) -> String {
    let title = title.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;");
    svg.replacen("<svg ", &format!("<svg role=\"img\" aria-label=\"{title}\" "), 1)
}

/// Horizontal bars, one per item, labelled on the left with the count and share at the bar's end.
pub fn bars(title: &str, items: &[(String, i64)]) -> String {
    let total: i64 = items.iter().map(|i| i.1).sum();
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1);
    let row = 30i32;
    let height = (items.len().max(1) as i32 * row + 8) as u32;
    let label_w = items.iter().map(|i| text_width(&i.0, FONT)).fold(0.0, f64::max).ceil() as i32 + 12;
    let value_w = 96;
    let x0 = label_w;
    let span = (WIDTH as i32 - x0 - value_w).max(40);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        let draw = || -> Result<(), Box<dyn std::error::Error + '_>> {
            for (i, (label, n)) in items.iter().enumerate() {
                let top = 4 + i as i32 * row;
                let mid = top + row / 2;
                root.draw(&Text::new(label.clone(), (x0 - 10, mid), style(FONT, &INK, HPos::Right)))?;
                root.draw(&Rectangle::new([(x0, top + 6), (x0 + span, top + row - 6)], TRACK.filled()))?;
                let w = ((*n as f64 / max as f64) * span as f64).round() as i32;
                if w > 0 {
                    root.draw(&Rectangle::new([(x0, top + 6), (x0 + w, top + row - 6)], PALETTE[0].filled()))?;
                }
                let text = format!("{n}  {:.1}%", percent(*n, total));
                root.draw(&Text::new(text, (x0 + span + 8, mid), style(FONT - 1.0, &MUTED, HPos::Left)))?;
            }
            root.present()?;
            Ok(())
        };
        if draw().is_err() {
            return String::new();
        }
    }
    finish(svg, title)
}

/// A donut of the shares with a legend beside it (zero items are left out of the ring).
pub fn donut(title: &str, items: &[(String, i64)]) -> String {
    let total: i64 = items.iter().map(|i| i.1).sum();
    let legend_rows = items.len().max(1) as i32;
    let height = (legend_rows * 26 + 16).max(170) as u32;
    let r = 72.0;
    let center = (90, height as i32 / 2);
    // as wide as the legend needs, so a phone shrinks it little
    let legend = items
        .iter()
        .map(|(l, n)| text_width(l, FONT) + text_width(&format!("{n}  100.0%"), FONT - 1.0))
        .fold(0.0, f64::max);
    let width = ((220.0 + legend + 16.0).ceil() as u32).clamp(300, WIDTH);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let draw = || -> Result<(), Box<dyn std::error::Error + '_>> {
            let shown: Vec<(usize, f64)> =
                items.iter().enumerate().filter(|(_, i)| i.1 > 0).map(|(k, i)| (k, i.1 as f64)).collect();
            if shown.is_empty() {
                root.draw(&Circle::new(center, r as i32, TRACK.filled()))?;
            } else {
                let sizes: Vec<f64> = shown.iter().map(|s| s.1).collect();
                let colors: Vec<RGBColor> = shown.iter().map(|s| PALETTE[s.0 % PALETTE.len()]).collect();
                let labels: Vec<&str> = shown.iter().map(|_| "").collect();
                let mut pie = Pie::new(&center, &r, &sizes, &colors, &labels);
                pie.start_angle(-90.0);
                pie.donut_hole(r * 0.58);
                root.draw(&pie)?;
            }
            root.draw(&Text::new(format!("{total}"), center, style(FONT + 4.0, &INK, HPos::Center)))?;
            let lx = 200;
            let top = height as i32 / 2 - legend_rows * 13;
            for (k, (label, n)) in items.iter().enumerate() {
                let y = top + k as i32 * 26 + 13;
                let c = PALETTE[k % PALETTE.len()];
                root.draw(&Rectangle::new([(lx, y - 6), (lx + 12, y + 6)], c.filled()))?;
                root.draw(&Text::new(label.clone(), (lx + 20, y), style(FONT, &INK, HPos::Left)))?;
                let text = format!("{n}  {:.1}%", percent(*n, total));
                let x = lx + 20 + text_width(label, FONT).ceil() as i32 + 12;
                root.draw(&Text::new(text, (x, y), style(FONT - 1.0, &MUTED, HPos::Left)))?;
            }
            root.present()?;
            Ok(())
        };
        if draw().is_err() {
            return String::new();
        }
    }
    finish(svg, title)
}

/// Coverage bars: for each (label, covered, units), the built share in the accent colour.
pub fn coverage(title: &str, items: &[(String, i64, i64)]) -> String {
    let row = 52i32;
    let height = (items.len().max(1) as i32 * row + 6) as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        let draw = || -> Result<(), Box<dyn std::error::Error + '_>> {
            for (i, (label, covered, units)) in items.iter().enumerate() {
                let top = 4 + i as i32 * row;
                root.draw(&Text::new(label.clone(), (0, top + 10), style(FONT, &INK, HPos::Left)))?;
                let text = format!("{covered}/{units}  {:.1}%", percent(*covered, *units));
                root.draw(&Text::new(text, (WIDTH as i32, top + 10), style(FONT, &INK, HPos::Right)))?;
                let (y0, y1) = (top + 24, top + 40);
                root.draw(&Rectangle::new([(0, y0), (WIDTH as i32, y1)], TRACK.filled()))?;
                if *units > 0 && *covered > 0 {
                    let w = ((*covered as f64 / *units as f64) * WIDTH as f64).round() as i32;
                    root.draw(&Rectangle::new([(0, y0), (w, y1)], ACCENT.filled()))?;
                }
            }
            root.present()?;
            Ok(())
        };
        if draw().is_err() {
            return String::new();
        }
    }
    finish(svg, title)
}

/// Colour of a completion rate below [`LOW_RATE`] (the warning amber of the pages).
const LOW: RGBColor = RGBColor(0xc9, 0x7a, 0x12);
/// Completion rates below this share (percent) are drawn in [`LOW`].
pub const LOW_RATE: f64 = 60.0;

/// Shorten a label to `max` characters with an ellipsis.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// Completion rates: for each (label, met, due), a bar of met/due out of a full track, the rate
/// and `met/due` at its end; rates under [`LOW_RATE`] in amber; nothing due says so in words.
pub fn rates(title: &str, items: &[(String, i64, i64)]) -> String {
    let row = 26i32;
    let height = (items.len().max(1) as i32 * row + 8) as u32;
    let labels: Vec<String> = items.iter().map(|i| shorten(&i.0, 14)).collect();
    let label_w = labels.iter().map(|l| text_width(l, FONT - 1.0)).fold(0.0, f64::max).ceil() as i32 + 12;
    let value_w = 118;
    let width = WIDTH + 100;
    let x0 = label_w;
    let span = (width as i32 - x0 - value_w).max(60);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let draw = || -> Result<(), Box<dyn std::error::Error + '_>> {
            for (i, ((_, met, due), label)) in items.iter().zip(&labels).enumerate() {
                let top = 4 + i as i32 * row;
                let mid = top + row / 2;
                root.draw(&Text::new(label.clone(), (x0 - 10, mid), style(FONT - 1.0, &INK, HPos::Right)))?;
                root.draw(&Rectangle::new([(x0, top + 6), (x0 + span, top + row - 6)], TRACK.filled()))?;
                let text = if *due > 0 {
                    let r = percent(*met, *due);
                    let w = ((r / 100.0) * span as f64).round() as i32;
                    let color = if r < LOW_RATE { LOW } else { PALETTE[0] };
                    if w > 0 {
                        root.draw(&Rectangle::new([(x0, top + 6), (x0 + w, top + row - 6)], color.filled()))?;
                    }
                    format!("{r:.1}%  {met}/{due}")
                } else {
                    "无应召开".to_string()
                };
                root.draw(&Text::new(text, (x0 + span + 8, mid), style(FONT - 1.0, &MUTED, HPos::Left)))?;
            }
            root.present()?;
            Ok(())
        };
        if draw().is_err() {
            return String::new();
        }
    }
    finish(svg, title)
}

/// Scores: for each (label, score, full score), a bar of the score out of a full track with the
/// score at its end (`86.5 分`); the ranking chart of a dispatch round.
pub fn scores(title: &str, items: &[(String, f64, f64)]) -> String {
    let row = 26i32;
    let height = (items.len().max(1) as i32 * row + 8) as u32;
    let labels: Vec<String> = items.iter().map(|i| shorten(&i.0, 14)).collect();
    let label_w = labels.iter().map(|l| text_width(l, FONT - 1.0)).fold(0.0, f64::max).ceil() as i32 + 12;
    let value_w = 80;
    let width = WIDTH + 100;
    let x0 = label_w;
    let span = (width as i32 - x0 - value_w).max(60);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let draw = || -> Result<(), Box<dyn std::error::Error + '_>> {
            for (i, ((_, score, full), label)) in items.iter().zip(&labels).enumerate() {
                let top = 4 + i as i32 * row;
                let mid = top + row / 2;
                root.draw(&Text::new(label.clone(), (x0 - 10, mid), style(FONT - 1.0, &INK, HPos::Right)))?;
                root.draw(&Rectangle::new([(x0, top + 6), (x0 + span, top + row - 6)], TRACK.filled()))?;
                let share = if *full > 0.0 { (score / full).clamp(0.0, 1.0) } else { 0.0 };
                let w = (share * span as f64).round() as i32;
                if w > 0 {
                    root.draw(&Rectangle::new([(x0, top + 6), (x0 + w, top + row - 6)], PALETTE[0].filled()))?;
                }
                let text = format!("{score:.1} 分");
                root.draw(&Text::new(text, (x0 + span + 8, mid), style(FONT - 1.0, &MUTED, HPos::Left)))?;
            }
            root.present()?;
            Ok(())
        };
        if draw().is_err() {
            return String::new();
        }
    }
    finish(svg, title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_svg_with_their_labels() {
        let items = vec![("男".to_string(), 30), ("女".to_string(), 10)];
        for svg in [bars("性别", &items), donut("性别", &items)] {
            assert!(svg.starts_with("<svg role=\"img\" aria-label=\"性别\""), "{svg}");
            assert!(svg.contains("\n男\n") && svg.contains("\n女\n"), "{svg}");
            assert!(svg.contains("75.0%") && svg.contains("25.0%"), "{svg}");
            assert!(!svg.contains("<script"));
        }
        let c = coverage("覆盖", &[("乡镇".to_string(), 224, 243)]);
        assert!(c.contains("224/243  92.2%"), "{c}");
        // nothing to show is still a chart, not an error
        assert!(donut("空", &[("男".to_string(), 0)]).contains("<svg"));
        assert!(bars("空", &[]).contains("<svg"));
        let r =
            rates("完成率", &[("甲支部".to_string(), 9, 12), ("一个名字非常非常长的党支部委员会".to_string(), 0, 0)]);
        assert!(r.contains("75.0%  9/12") && r.contains("无应召开") && r.contains("…"), "{r}");
    }
}
