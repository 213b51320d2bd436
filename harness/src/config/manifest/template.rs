//! `{placeholders}` in an app's arguments and check command: what the harness fills in per run,
//! so an app takes its size, seed, master and result path without knowing about sparkmodes.

/// Every placeholder a manifest may use, with what it becomes.
pub const PLACEHOLDERS: [(&str, &str); 7] = [
    (
        "elements",
        "the run's element count (needs size_knob = true)",
    ),
    ("seed", "the scenario's seed"),
    ("result", "the path the app writes its result to"),
    ("master", "the master URL as the driver sees it"),
    ("run_dir", "the run's directory as the driver sees it"),
    (
        "data",
        "the data folder the harness made (data = \"tpch\"), the same path everywhere",
    ),
    (
        "queries",
        "the scenario's queries, comma-separated (empty: all)",
    ),
];

/// The values of one run, as the process that reads them sees the paths.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Placeholders {
    pub elements: u64,
    pub seed: u64,
    pub result: String,
    pub master: String,
    pub run_dir: String,
    pub data: String,
    pub queries: String,
}

impl Placeholders {
    fn value(&self, name: &str) -> Option<String> {
        Some(match name {
            "elements" => self.elements.to_string(),
            "seed" => self.seed.to_string(),
            "result" => self.result.clone(),
            "master" => self.master.clone(),
            "run_dir" => self.run_dir.clone(),
            "data" => self.data.clone(),
            "queries" => self.queries.clone(),
            _ => return None,
        })
    }

    /// `template` with every known `{name}` replaced; `{{` and `}}` are literal braces.
    pub fn render(&self, template: &str) -> String {
        let mut out = String::new();
        for piece in pieces(template) {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Name(n) => match self.value(n) {
                    Some(v) => out.push_str(&v),
                    None => out.push_str(&format!("{{{n}}}")),
                },
            }
        }
        out
    }
}

/// The placeholder names `template` uses, or what is wrong with its braces.
pub(super) fn names(template: &str) -> Result<Vec<&str>, String> {
    if template
        .replace("{{", "")
        .replace("}}", "")
        .matches('{')
        .count()
        != template
            .replace("{{", "")
            .replace("}}", "")
            .matches('}')
            .count()
    {
        return Err(format!(
            "unbalanced braces in {template:?} (write `{{{{` for a literal brace)"
        ));
    }
    Ok(pieces(template)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Name(n) => Some(n),
            Piece::Text(_) => None,
        })
        .collect())
}

enum Piece<'a> {
    Text(&'a str),
    Name(&'a str),
}

fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("{{") {
            out.push(Piece::Text("{"));
            rest = r;
        } else if let Some(r) = rest.strip_prefix("}}") {
            out.push(Piece::Text("}"));
            rest = r;
        } else if let Some((name, r)) = rest.strip_prefix('{').and_then(|r| r.split_once('}')) {
            out.push(Piece::Name(name));
            rest = r;
        } else {
            let first = rest.chars().next().map_or(1, char::len_utf8);
            let end = rest[first..]
                .find(['{', '}'])
                .map_or(rest.len(), |i| i + first);
            out.push(Piece::Text(&rest[..end]));
            rest = &rest[end..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_names_are_filled_and_braces_escape() {
        let p = Placeholders {
            data: String::new(),
            queries: String::new(),
            elements: 1000,
            seed: 7,
            result: "/w/result.csv".into(),
            master: "spark://m:7077".into(),
            run_dir: "/w".into(),
        };
        assert_eq!(p.render("--rows={elements}"), "--rows=1000");
        assert_eq!(p.render("{result}.{seed}"), "/w/result.csv.7");
        assert_eq!(p.render("{{literal}} {master}"), "{literal} spark://m:7077");
        assert_eq!(names("a {x} {{y}} {seed}").unwrap(), ["x", "seed"]);
        assert!(names("a {x").is_err());
    }
}
