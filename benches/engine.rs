//! Benchmarks of the engine on synthetic organisations of 1k to 1M nodes
//! (`okrs::sample::synthetic`), against the floor: the same weighted roll-up
//! as a plain loop over flat arrays, in `Decimal` and in `f64`; and, on
//! realistic organisations of 10k to 1M nodes (`okrs::sample::realistic`),
//! the full roll-up beside the impact of the top objective.
//!
//! ```text
//! cargo bench --bench engine                 # every size
//! OKRS_BENCH_MAX=100000 cargo bench --bench engine   # skip the 1M size
//! cargo bench --bench engine -- realistic    # the roll-up beside impact only
//! ```
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_precision_loss
)]

mod common;

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use common::{resident_bytes, sizes};
use criterion::{BatchSize, BenchmarkId, Criterion};
use okrs::{Decimal, Document, Link, Metric, OkrSet};

/// The roll-up as flat arrays: nodes in a topological order (supporters
/// first), each with its inputs' positions and weights, and the leaves'
/// own progress. What any engine must at least compute.
struct Flat {
    position: HashMap<String, usize>,
    inputs: Vec<Vec<(usize, Decimal)>>,
    leaf: Vec<Decimal>,
    inputs_f64: Vec<Vec<(usize, f64)>>,
    leaf_f64: Vec<f64>,
}

impl Flat {
    /// From the synthetic document, whose objectives come parents first: in
    /// reverse, every node comes after everything it aggregates.
    fn new(doc: &Document) -> Self {
        let mut position: HashMap<String, usize> = HashMap::new();
        let mut order: Vec<(&str, Option<Decimal>)> = Vec::new();
        for objective in doc.objectives.iter().rev() {
            for kr in &objective.key_results {
                let progress = kr.metric.as_ref().map(|m| m.progress(Decimal::ONE).value());
                position.insert(kr.id.to_string(), order.len());
                order.push((kr.id.as_str(), progress));
            }
            position.insert(objective.id.to_string(), order.len());
            order.push((objective.id.as_str(), None));
        }
        // Each node's two groups (key results, aligned objectives), then
        // their weights as the roll-up counts them: where a node has both,
        // member i of a group of n members whose weights sum to W weighs
        // n·wᵢ/W, so that each group counts by its number of members
        // (computed once here, as the engine's plan does).
        let mut groups = vec![(Vec::new(), Vec::new()); order.len()];
        for objective in &doc.objectives {
            let me = position[objective.id.as_str()];
            for kr in &objective.key_results {
                groups[me]
                    .0
                    .push((position[kr.id.as_str()], kr.weight.value()));
            }
            for link in &objective.aligned_to {
                groups[position[link.id.as_str()]]
                    .1
                    .push((me, link.weight.value()));
            }
        }
        let relative = |group: Vec<(usize, Decimal)>| -> Vec<(usize, Decimal)> {
            let members = Decimal::from(group.iter().filter(|(_, w)| !w.is_zero()).count());
            let total: Decimal = group.iter().map(|(_, w)| *w).sum();
            group
                .into_iter()
                .map(|(source, w)| (source, members * w / total))
                .collect()
        };
        let inputs: Vec<Vec<(usize, Decimal)>> = groups
            .into_iter()
            .map(|(key_results, aligned)| {
                if key_results.is_empty() || aligned.is_empty() {
                    key_results.into_iter().chain(aligned).collect()
                } else {
                    relative(key_results)
                        .into_iter()
                        .chain(relative(aligned))
                        .collect()
                }
            })
            .collect();
        let leaf: Vec<Decimal> = order.iter().map(|(_, p)| p.unwrap_or_default()).collect();
        let to_f64 = |d: Decimal| d.to_string().parse::<f64>().unwrap();
        Self {
            position,
            inputs_f64: inputs
                .iter()
                .map(|i| i.iter().map(|&(s, w)| (s, to_f64(w))).collect())
                .collect(),
            leaf_f64: leaf.iter().map(|&d| to_f64(d)).collect(),
            inputs,
            leaf,
        }
    }

    fn decimal(&self, progress: &mut [Decimal]) {
        for (n, inputs) in self.inputs.iter().enumerate() {
            progress[n] = if inputs.is_empty() {
                self.leaf[n]
            } else {
                weighted_mean(inputs, progress)
            };
        }
    }

    /// Positions of everything `changed` rolls into (not themselves), in
    /// topological order: the nodes a batch must recompute.
    fn ancestors(&self, changed: &[usize]) -> Vec<usize> {
        let mut consumers = vec![Vec::new(); self.inputs.len()];
        for (n, inputs) in self.inputs.iter().enumerate() {
            for &(source, _) in inputs {
                consumers[source].push(n);
            }
        }
        let mut seen = vec![false; self.inputs.len()];
        let mut stack = changed.to_vec();
        let mut out = Vec::new();
        while let Some(n) = stack.pop() {
            for &c in &consumers[n] {
                if !seen[c] {
                    seen[c] = true;
                    out.push(c);
                    stack.push(c);
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// The floor of a batch: each changed key result's progress from its
    /// new value (numeric, 0 to 10), then each ancestor once, in order.
    fn decimal_batch(
        &self,
        progress: &mut [Decimal],
        changed: &[usize],
        value: Decimal,
        ancestors: &[usize],
    ) {
        for &n in changed {
            progress[n] = value / Decimal::TEN;
        }
        for &n in ancestors {
            progress[n] = weighted_mean(&self.inputs[n], progress);
        }
    }

    /// The batch's arithmetic alone: the changed key results, the ancestors
    /// and their inputs copied into one small array (in cache), each
    /// ancestor's inputs back to back.
    fn compact_batch(&self, changed: &[usize], ancestors: &[usize]) -> CompactBatch {
        let mut involved: Vec<usize> = changed.to_vec();
        for &n in ancestors {
            involved.push(n);
            involved.extend(self.inputs[n].iter().map(|&(source, _)| source));
        }
        involved.sort_unstable();
        involved.dedup();
        let at = |n: usize| involved.binary_search(&n).unwrap();
        let mut starts = vec![0];
        let mut inputs = Vec::new();
        for &n in ancestors {
            inputs.extend(self.inputs[n].iter().map(|&(source, w)| (at(source), w)));
            starts.push(inputs.len());
        }
        CompactBatch {
            changed: changed.iter().map(|&n| at(n)).collect(),
            ancestors: ancestors.iter().map(|&n| at(n)).collect(),
            starts,
            inputs,
            progress: involved.iter().map(|&n| self.leaf[n]).collect(),
        }
    }

    fn float(&self, progress: &mut [f64]) {
        for (n, inputs) in self.inputs_f64.iter().enumerate() {
            progress[n] = if inputs.is_empty() {
                self.leaf_f64[n]
            } else {
                let (mut sum, mut total) = (0.0, 0.0);
                for &(source, weight) in inputs {
                    sum += weight * progress[source];
                    total += weight;
                }
                sum / total
            };
        }
    }
}

/// Σwp / Σw over `inputs`, reading progress by position: the floors' one
/// piece of arithmetic.
#[inline]
fn weighted_mean(inputs: &[(usize, Decimal)], progress: &[Decimal]) -> Decimal {
    let (mut sum, mut total) = (Decimal::ZERO, Decimal::ZERO);
    for &(source, weight) in inputs {
        sum += weight * progress[source];
        total += weight;
    }
    sum / total
}

struct CompactBatch {
    changed: Vec<usize>,
    ancestors: Vec<usize>,
    starts: Vec<usize>,
    inputs: Vec<(usize, Decimal)>,
    progress: Vec<Decimal>,
}

impl CompactBatch {
    fn run(&mut self, value: Decimal) {
        for &n in &self.changed {
            self.progress[n] = value / Decimal::TEN;
        }
        for (i, &n) in self.ancestors.iter().enumerate() {
            let inputs = &self.inputs[self.starts[i]..self.starts[i + 1]];
            self.progress[n] = weighted_mean(inputs, &self.progress);
        }
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    for target in sizes() {
        let doc = okrs::sample::synthetic(target, 42);
        let before = resident_bytes();
        let mut set = OkrSet::from_document(doc.clone()).unwrap();
        let after = resident_bytes();
        let size = set.nodes().count();
        eprintln!(
            "okrs: {size} nodes; resident memory of the set ≈ {} bytes per node",
            after.saturating_sub(before) / size
        );

        group.bench_function(BenchmarkId::new("full_rollup", size), |b| {
            b.iter(|| set.recompute());
        });
        let flat = Flat::new(&doc);
        let mut decimal = vec![Decimal::ZERO; flat.leaf.len()];
        group.bench_function(BenchmarkId::new("floor_decimal_loop", size), |b| {
            b.iter(|| flat.decimal(black_box(&mut decimal)));
        });
        let mut float = vec![0.0; flat.leaf.len()];
        group.bench_function(BenchmarkId::new("floor_f64_loop", size), |b| {
            b.iter(|| flat.float(black_box(&mut float)));
        });
        // The floor computes what the engine does (to 20 places: the two sum
        // in different orders).
        flat.decimal(&mut decimal);
        for objective in doc.objectives.iter().take(50) {
            let id = objective.id.as_str();
            assert_eq!(
                set.progress(id).unwrap().value().round_dp(20),
                decimal[flat.position[id]].round_dp(20),
                "{id}"
            );
        }

        // The deepest key result: an individual's, the last one generated.
        let deepest = doc.objectives.last().unwrap().key_results[0].id.to_string();
        let mut value = 0i64;
        group.bench_function(BenchmarkId::new("check_in_incremental", size), |b| {
            b.iter(|| {
                value = (value + 1) % 10;
                let metric =
                    Metric::numeric(Decimal::ZERO, Decimal::TEN).with_current(value.into());
                set.set_metric(&deepest, Some(metric)).unwrap();
            });
        });
        // 1,000 key results spread over the organisation, in one batch.
        let key_results: Vec<String> = doc
            .objectives
            .iter()
            .rev()
            .step_by((doc.objectives.len() / 1_000).max(1))
            .take(1_000)
            .map(|o| o.key_results[0].id.to_string())
            .collect();
        let changed: Vec<usize> = key_results.iter().map(|k| flat.position[k]).collect();
        let ancestors = flat.ancestors(&changed);
        eprintln!(
            "okrs: a batch of {} check-ins rolls into {} nodes with {} inputs",
            changed.len(),
            ancestors.len(),
            ancestors
                .iter()
                .map(|&n| flat.inputs[n].len())
                .sum::<usize>()
        );
        group.bench_function(BenchmarkId::new("floor_batch_decimal_loop", size), |b| {
            b.iter(|| {
                value = (value + 1) % 10;
                flat.decimal_batch(
                    black_box(&mut decimal),
                    &changed,
                    Decimal::from(value),
                    &ancestors,
                );
            });
        });
        let mut compact = flat.compact_batch(&changed, &ancestors);
        group.bench_function(BenchmarkId::new("floor_batch_in_cache", size), |b| {
            b.iter(|| {
                value = (value + 1) % 10;
                compact.run(black_box(Decimal::from(value)));
            });
        });
        group.bench_function(BenchmarkId::new("batch_1000_check_ins", size), |b| {
            b.iter(|| {
                value = (value + 1) % 10;
                let metric =
                    Metric::numeric(Decimal::ZERO, Decimal::TEN).with_current(value.into());
                set.set_metric_many(key_results.iter().map(|k| (k, Some(metric.clone()))))
                    .unwrap();
            });
        });
        // A same-level link that would close a cycle: c0 → c1 exists.
        set.add_link("co0", Link::new("co1".parse().unwrap()))
            .unwrap();
        group.bench_function(BenchmarkId::new("refuse_cycle", size), |b| {
            b.iter(|| {
                let err = set
                    .add_link("co1", Link::new("co0".parse().unwrap()))
                    .unwrap_err();
                assert!(matches!(err, okrs::Error::Cycle { .. }));
            });
        });
        drop(set);
        group.bench_function(BenchmarkId::new("bulk_load", size), |b| {
            b.iter_batched(
                || doc.clone(),
                |doc| OkrSet::from_document(doc).unwrap(),
                BatchSize::PerIteration,
            );
        });
        let json = doc.to_json().unwrap();
        group.bench_function(BenchmarkId::new("serde_json_parse_only", size), |b| {
            b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&json)).unwrap());
        });
        group.bench_function(BenchmarkId::new("json_load", size), |b| {
            b.iter(|| OkrSet::from_json(black_box(&json)).unwrap());
        });
    }
    group.finish();
}

/// On `okrs::sample::realistic` organisations (10k nodes and up): the full
/// roll-up, and the impact of the top objective `co0` (every measured key
/// result under it, with its share and what-if) in the same run, so the
/// two compare (issue 17: impact ≤ 20× a full roll-up at 1M nodes).
fn realistic(c: &mut Criterion) {
    let mut group = c.benchmark_group("realistic");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    for target in sizes().into_iter().filter(|&n| n >= 10_000) {
        let mut set = OkrSet::from_document(okrs::sample::realistic(target, 42)).unwrap();
        let size = set.nodes().count();
        group.bench_function(BenchmarkId::new("full_rollup", size), |b| {
            b.iter(|| set.recompute());
        });
        let contributors = set.impact("co0").unwrap().len();
        eprintln!("okrs: {size} nodes; co0 has {contributors} contributing key results");
        group.bench_function(BenchmarkId::new("impact_top_objective", size), |b| {
            b.iter(|| set.impact(black_box("co0")).unwrap());
        });
    }
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    realistic(&mut criterion);
    bench(&mut criterion);
    criterion.final_summary();
}
