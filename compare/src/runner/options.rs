//! The runner's command line.

use std::path::PathBuf;

use super::measure::Mode;

/// `--help`.
pub(crate) const HELP: &str = "\
gcroots: the same workloads under every GC rooting scheme, side by side.

USAGE:
    cargo run --release [-- OPTIONS]

OPTIONS:
    --workloads A,B,..  run only these workloads (a name such as
                        `many_roots/10`, or a group such as `many_roots`);
                        default: all
    --modes A,B         heap modes: semispace, generational (a nursery of
                        1 MiB; rows marked (gen)), mark-region (rows
                        marked (mr)), gen-mark-region (a nursery in front
                        of a mark-region space; (gen mr)); default: all
    --nursery BYTES     the nursery size of the generational rows
                        (default 1048576)
    --scale X           multiply every workload's size by X (default 1)
    --reps N            runs per workload and scheme, median reported
                        (default 3; the schemes alternate run by run)
    --out DIR           where to write report.md, report.csv, workloads.svg
                        and hot_paths.svg (default: report)
    --baseline FILE     compare with a saved report.csv: each workload's
                        time under each scheme, flagged where the two runs'
                        ranges (fastest to slowest run) do not overlap
    --criterion DIR     criterion's results, for the hot paths chart and
                        table (default: target/criterion)
    --readme            run nothing: print the README's result tables from
                        DIR/report.csv and criterion's results
    --list              list the workloads and what their size counts
    -h, --help          this text

Time is wall-clock time of the workload on a fresh heap (heap creation
excluded). Collections, bytes copied and roots scanned come from the heap's
statistics; `a / b / c` means the schemes differ. With three schemes each
ratio is one scheme's time over the best of the other two (below 1: the
fastest, by that factor).
";

/// What the command line asks for.
#[derive(Debug)]
pub struct Options {
    /// Only the workloads named by one of these, whole (`many_roots/10`)
    /// or by group (`many_roots`); all if `None`.
    pub workloads: Option<Vec<String>>,
    /// The heap modes to run.
    pub modes: Vec<Mode>,
    /// The nursery size in generational mode.
    pub nursery: usize,
    /// Multiplies every workload's full size.
    pub scale: f64,
    /// Runs per workload and scheme.
    pub reps: usize,
    /// Where the report files go.
    pub out: PathBuf,
    /// List the workloads instead of running them.
    pub list: bool,
    /// A saved `report.csv` to compare with.
    pub baseline: Option<PathBuf>,
    /// Criterion's output directory.
    pub criterion: PathBuf,
    /// Print the README's tables instead of running.
    pub readme: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            workloads: None,
            modes: Mode::ALL.to_vec(),
            nursery: gcroots::Config::NURSERY_BYTES,
            scale: 1.0,
            reps: 3,
            out: PathBuf::from("report"),
            list: false,
            baseline: None,
            criterion: PathBuf::from("target/criterion"),
            readme: false,
        }
    }
}

/// The command line, parsed.
#[derive(Debug)]
pub(crate) enum Command {
    /// Run (or list) with these options.
    Run(Options),
    /// Print [`HELP`].
    Help,
}

/// Parses the arguments (without the program name).
pub(crate) fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--list" => options.list = true,
            "--workloads" => {
                let v = value("--workloads")?;
                options.workloads = Some(v.split(',').map(str::to_owned).collect());
            }
            "--modes" => {
                let v = value("--modes")?;
                options.modes = v
                    .split(',')
                    .map(|m| {
                        Mode::ALL.into_iter().find(|x| x.name() == m).ok_or(format!(
                            "--modes takes semispace, generational, mark-region and gen-mark-region, not `{m}`"
                        ))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--nursery" => {
                let v = value("--nursery")?;
                options.nursery = v.parse().ok().filter(|&n| n >= 8).ok_or(format!(
                    "--nursery wants a size in bytes of 8 or more, not `{v}`"
                ))?;
            }
            "--scale" => {
                let v = value("--scale")?;
                options.scale = v
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s > 0.0)
                    .ok_or(format!("--scale wants a positive number, not `{v}`"))?;
            }
            "--reps" => {
                let v = value("--reps")?;
                options.reps = v
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or(format!("--reps wants a positive integer, not `{v}`"))?;
            }
            "--out" => options.out = PathBuf::from(value("--out")?),
            "--baseline" => options.baseline = Some(PathBuf::from(value("--baseline")?)),
            "--criterion" => options.criterion = PathBuf::from(value("--criterion")?),
            "--readme" => options.readme = true,
            other => return Err(format!("unknown option `{other}` (try --help)")),
        }
    }
    Ok(Command::Run(options))
}

impl Options {
    /// Whether the workload `name` is selected: named whole, or by its
    /// group (`many_roots` selects `many_roots/10` and the others, while
    /// `many_roots/10` selects only itself, not `many_roots/100000`).
    pub(crate) fn selects(&self, name: &str) -> bool {
        match &self.workloads {
            None => true,
            Some(list) => list.iter().any(|f| {
                name.strip_prefix(f.as_str()).is_some_and(|rest| {
                    rest.is_empty() || rest.starts_with('/') || f.ends_with('/')
                })
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selecting(list: &[&str]) -> Options {
        Options {
            workloads: Some(list.iter().map(|s| s.to_string()).collect()),
            ..Options::default()
        }
    }

    #[test]
    fn a_workload_is_selected_by_its_name_or_its_group() {
        let o = selecting(&["many_roots/10", "values"]);
        assert!(o.selects("many_roots/10"));
        assert!(!o.selects("many_roots/100000"));
        assert!(!o.selects("many_roots/1000"));
        assert!(o.selects("values/vec"));
        assert!(o.selects("values/persistent"));
        assert!(!o.selects("access"));
        let group = selecting(&["many_roots/"]);
        assert!(group.selects("many_roots/100000"));
        assert!(!selecting(&["many"]).selects("many_roots/10"));
        assert!(Options::default().selects("anything"));
    }
}
