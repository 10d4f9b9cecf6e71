//! The layer test: every module imports only the layers its row of the
//! table names, and `lib.rs` and `docs/ARCHITECTURE.md` draw the same table.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layered modules (`startup`, `main` and `telemetry` compose them).
const MODULES: &[&str] = &[
    "domain", "schema", "query", "store", "notify", "auth", "records", "files", "admin", "api",
    "config",
];

/// Imports against the table, each with why it stands; a new one fails.
const EXCEPTIONS: &[(&str, &str)] = &[];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// `module → what it knows about`, from the rows `| \`module/\` | … | known |`
/// of a Markdown table in `text` (each comment prefix removed).
fn table(text: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim_start_matches("//!").trim();
        let Some(rest) = line.strip_prefix("| `") else {
            continue;
        };
        let Some((name, _)) = rest.split_once('`') else {
            continue;
        };
        let name = name.trim_end_matches('/');
        if !MODULES.contains(&name) {
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').collect();
        let known = cells.last().copied().unwrap_or_default();
        let layers = known
            .split(',')
            .filter_map(|piece| {
                let word: String = piece
                    .trim()
                    .chars()
                    .take_while(char::is_ascii_lowercase)
                    .collect();
                MODULES.contains(&word.as_str()).then_some(word)
            })
            .collect();
        out.insert(name.to_owned(), layers);
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn lib_rs_and_architecture_md_draw_the_same_table() {
    let lib = table(&std::fs::read_to_string(root().join("src/lib.rs")).unwrap());
    let doc = table(&std::fs::read_to_string(root().join("docs/ARCHITECTURE.md")).unwrap());
    assert_eq!(
        lib.len(),
        MODULES.len(),
        "lib.rs names every module: {lib:?}"
    );
    assert_eq!(lib, doc, "lib.rs and docs/ARCHITECTURE.md disagree");
}

#[test]
fn every_module_imports_only_the_layers_its_row_names() {
    let allowed = table(&std::fs::read_to_string(root().join("src/lib.rs")).unwrap());
    let mut wrong = Vec::new();
    for module in MODULES {
        let mut files = Vec::new();
        rust_files(&root().join("src").join(module), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let relative = file
                .strip_prefix(root().join("src"))
                .unwrap()
                .display()
                .to_string();
            for (at, _) in text.match_indices("crate::") {
                let used: String = text[at + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                let fine = used == *module
                    || !MODULES.contains(&used.as_str())
                    || allowed[*module].contains(&used)
                    || EXCEPTIONS.contains(&(relative.as_str(), used.as_str()));
                if !fine {
                    wrong.push(format!("{relative} imports {used}"));
                }
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "imports against the layer table:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_table_reader_reads_the_known_column() {
    let t = table("| `records/` | role | store, query (its errors), domain (see below) |\n| `nope/` | x | y |");
    assert_eq!(t.len(), 1);
    let known: Vec<&str> = t["records"].iter().map(String::as_str).collect();
    assert_eq!(known, ["domain", "query", "store"]);
}
