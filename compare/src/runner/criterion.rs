//! Criterion's results, read from its output directory
//! (`target/criterion/<group>/<function>/new/`): each benchmark's group,
//! function and median time.

use std::path::Path;

/// One benchmark's median.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// The group, as named in the bench (`create_drop`, `collect/1000`).
    pub group: String,
    /// The function within it (`floor_vec_push_pop`, `intrusive/1000`).
    pub function: String,
    /// The median time of one iteration, in nanoseconds.
    pub median_ns: f64,
}

/// Every benchmark under `dir` that has a `new/benchmark.json` and
/// `new/estimates.json`, sorted by group, then with the group's floor
/// (a function named `floor_*`) first, then by function; empty if `dir`
/// does not exist.
pub fn read(dir: &Path) -> Vec<Estimate> {
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort_by(|a, b| {
        let key = |e: &Estimate| {
            (
                e.group.clone(),
                !e.function.starts_with("floor"),
                e.function.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    out
}

fn walk(dir: &Path, out: &mut Vec<Estimate>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new") {
            if let Some(e) = estimate(&path) {
                out.push(e);
            }
        } else if path
            .file_name()
            .is_some_and(|n| n != "report" && n != "base")
        {
            walk(&path, out);
        }
    }
}

/// The estimate in one `new/` directory.
fn estimate(new: &Path) -> Option<Estimate> {
    let bench: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(new.join("benchmark.json")).ok()?).ok()?;
    let est: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(new.join("estimates.json")).ok()?).ok()?;
    let group = bench.get("group_id")?.as_str()?.to_owned();
    let function = match (bench.get("function_id"), bench.get("value_str")) {
        (Some(serde_json::Value::String(f)), Some(serde_json::Value::String(v))) => {
            format!("{f}/{v}")
        }
        (Some(serde_json::Value::String(f)), _) => f.clone(),
        (_, Some(serde_json::Value::String(v))) => v.clone(),
        _ => return None,
    };
    let median_ns = est.get("median")?.get("point_estimate")?.as_f64()?;
    Some(Estimate {
        group,
        function,
        median_ns,
    })
}
