//! README front matter (`---` YAML block) to the Hub's `cardData`, for the subset model
//! cards use most: scalars, lists (block or flow) and nested mappings by indentation.

use serde_json::{Map, Value};

/// The YAML front matter of a README, if any, as JSON.
pub(crate) fn card_data(readme: &str) -> Option<Value> {
    let rest = readme.strip_prefix("---")?.trim_start_matches(['\r', '\n']);
    let end = rest.find("\n---")?;
    let lines: Vec<&str> = rest[..end]
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    let mut pos = 0;
    let v = parse_block(&lines, &mut pos, 0);
    v.is_object().then_some(v)
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn scalar(s: &str) -> Value {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        return Value::Array(
            inner
                .split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(scalar)
                .collect(),
        );
    }
    if (s.starts_with('"') && s.ends_with('"') || s.starts_with('\'') && s.ends_with('\''))
        && s.len() >= 2
    {
        return Value::String(s[1..s.len() - 1].to_owned());
    }
    match s {
        "true" | "True" => return Value::Bool(true),
        "false" | "False" => return Value::Bool(false),
        "null" | "~" | "" => return Value::Null,
        _ => {}
    }
    if let Ok(i) = s.parse::<i64>() {
        return Value::from(i);
    }
    if let Ok(f) = s.parse::<f64>() {
        return Value::from(f);
    }
    Value::String(s.to_owned())
}

/// Parses lines at indentation `>= min` starting at `pos` into a mapping or a list.
fn parse_block(lines: &[&str], pos: &mut usize, min: usize) -> Value {
    let Some(first) = lines.get(*pos) else {
        return Value::Null;
    };
    let level = indent(first);
    if level < min {
        return Value::Null;
    }
    if first.trim_start().starts_with("- ") || first.trim() == "-" {
        let mut items = Vec::new();
        while let Some(line) = lines.get(*pos) {
            if indent(line) != level || !line.trim_start().starts_with('-') {
                break;
            }
            let item = line.trim_start()[1..].trim();
            *pos += 1;
            if item.is_empty() {
                items.push(parse_block(lines, pos, level + 1));
            } else if let Some((k, v)) = item
                .split_once(": ")
                .or_else(|| item.strip_suffix(':').map(|k| (k, "")))
            {
                // A mapping inside a list item: its first key is on the dash line.
                let mut m = Map::new();
                let v = if v.trim().is_empty() {
                    parse_block(lines, pos, level + 3)
                } else {
                    scalar(v)
                };
                m.insert(k.trim().to_owned(), v);
                if let Value::Object(more) = parse_block(lines, pos, level + 2) {
                    m.extend(more);
                }
                items.push(Value::Object(m));
            } else {
                items.push(scalar(item));
            }
        }
        return Value::Array(items);
    }
    let mut m = Map::new();
    while let Some(line) = lines.get(*pos) {
        if indent(line) != level {
            break;
        }
        let t = line.trim();
        let Some((k, v)) = t
            .split_once(": ")
            .or_else(|| t.strip_suffix(':').map(|k| (k, "")))
        else {
            *pos += 1;
            continue;
        };
        *pos += 1;
        let v = if v.trim().is_empty() {
            // A block sequence may sit at the key's own indentation.
            let same_level_list = lines
                .get(*pos)
                .is_some_and(|n| indent(n) == level && n.trim_start().starts_with('-'));
            parse_block(lines, pos, if same_level_list { level } else { level + 1 })
        } else {
            scalar(v)
        };
        m.insert(k.trim().trim_matches(['"', '\'']).to_owned(), v);
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::card_data;
    use serde_json::json;

    #[test]
    fn parses_common_model_card_metadata() {
        let readme = "---\nlicense: mit\nlanguage:\n- en\n- fr\ntags: [text, demo]\nlibrary_name: transformers\nmodel-index:\n- name: m\n  results: []\nwidget:\n  text: \"hi\"\nco2: 1.5\n---\n# Title\n";
        assert_eq!(
            card_data(readme).unwrap(),
            json!({
                "license": "mit",
                "language": ["en", "fr"],
                "tags": ["text", "demo"],
                "library_name": "transformers",
                "model-index": [{"name": "m", "results": []}],
                "widget": {"text": "hi"},
                "co2": 1.5,
            })
        );
        assert!(card_data("# no metadata").is_none());
    }
}
