"""The words the simulator uses: research topics, roles, tasks, findings, issues."""

from __future__ import annotations

from dataclasses import dataclass

MILESTONES = (
    "Literature Review Complete",
    "Hypotheses Formulated",
    "Experiment Design Approved",
    "Experiments Complete",
    "Analysis Complete",
    "Manuscript Draft Complete",
)


@dataclass(frozen=True, slots=True)
class Topic:
    title: str
    keywords: tuple[str, ...]
    method: str
    baselines: tuple[str, ...]
    components: tuple[str, ...]
    hparams: tuple[str, ...]
    datasets: tuple[str, ...]
    ood: tuple[str, ...]
    columns: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic(
        "Routing Stability in Sparse Mixture-of-Experts Transformers",
        ("expert load balancing", "router z-loss", "expert collapse"),
        "z-loss routing",
        ("top-2 gating", "a dense transformer at matched FLOPs"),
        ("the auxiliary balance loss", "expert dropout"),
        ("router temperature", "capacity factor"),
        ("C4", "The Pile (10B tokens)"),
        ("WikiText-103",),
        ("step", "tokens_seen", "loss", "expert_entropy"),
    ),
    Topic(
        "Compositional Generalization in Small Transformers",
        ("systematic generalization", "length extrapolation", "relative position encodings"),
        "span-level data augmentation",
        ("a vanilla seq2seq transformer", "a LSTM with attention"),
        ("relative position bias", "the copy mechanism"),
        ("augmentation ratio", "depth"),
        ("SCAN", "COGS"),
        ("CFQ",),
        ("split", "example_id", "exact_match", "length"),
    ),
    Topic(
        "Robust Learning under Label Noise via Loss Reweighting",
        ("noisy labels", "sample reweighting", "small-loss selection"),
        "meta-learned loss reweighting",
        ("cross-entropy training", "co-teaching"),
        ("the meta-network", "warm-up epochs"),
        ("noise rate", "meta learning rate"),
        ("CIFAR-10N", "Clothing1M"),
        ("CIFAR-10.1",),
        ("epoch", "noise_rate", "accuracy", "clean_fraction"),
    ),
    Topic(
        "Calibration of Vision-Language Models under Distribution Shift",
        ("expected calibration error", "temperature scaling", "zero-shot CLIP"),
        "prompt-ensemble temperature scaling",
        ("zero-shot CLIP ViT-B/16", "linear probing"),
        ("prompt ensembling", "per-class temperatures"),
        ("number of prompts", "temperature grid"),
        ("ImageNet", "ImageNet-V2"),
        ("ImageNet-R", "ImageNet-Sketch"),
        ("image_id", "confidence", "correct", "domain"),
    ),
    Topic(
        "Grokking Dynamics in Modular Arithmetic",
        ("delayed generalization", "weight decay", "circuit formation"),
        "spectral weight-decay scheduling",
        ("AdamW with constant weight decay", "plain SGD"),
        ("the decay schedule", "embedding tying"),
        ("weight decay", "training fraction"),
        ("mod-97 addition", "mod-113 multiplication"),
        ("mod-97 division",),
        ("step", "train_acc", "val_acc", "weight_norm"),
    ),
    Topic(
        "Curriculum Learning for Low-Resource Machine Translation",
        ("curriculum schedules", "back-translation", "low-resource languages"),
        "competence-based curriculum",
        ("random ordering", "length-based curriculum"),
        ("the competence function", "back-translated data"),
        ("curriculum length", "sampling temperature"),
        ("FLORES-200 (yo-en)", "FLORES-200 (ne-en)"),
        ("NTREX-128",),
        ("sentence_id", "bleu", "chrf", "src_len"),
    ),
    Topic(
        "Deep Ensembles for Uncertainty in Molecular Property Prediction",
        ("epistemic uncertainty", "graph neural networks", "active learning"),
        "snapshot ensembles of message-passing networks",
        ("a single MPNN", "MC dropout"),
        ("ensemble diversity loss", "edge features"),
        ("ensemble size", "dropout rate"),
        ("QM9", "ESOL"),
        ("FreeSolv",),
        ("smiles", "target", "prediction", "std"),
    ),
    Topic(
        "Data Pruning with Forgetting Scores",
        ("data pruning", "example difficulty", "scaling laws"),
        "forgetting-score pruning",
        ("random pruning", "EL2N scores"),
        ("score averaging over seeds", "class balancing"),
        ("pruning fraction", "scoring epoch"),
        ("CIFAR-100", "Tiny ImageNet"),
        ("CIFAR-100-C",),
        ("example_id", "forgetting_events", "kept", "label"),
    ),
    Topic(
        "Contrastive Pretraining for Time-Series Anomaly Detection",
        ("self-supervised learning", "anomaly scores", "multivariate sensors"),
        "contrastive window encoding",
        ("an LSTM autoencoder", "Isolation Forest"),
        ("the temporal augmentations", "the projection head"),
        ("window length", "negative samples"),
        ("SMD", "MSL"),
        ("SWaT",),
        ("timestamp", "sensor", "score", "label"),
    ),
    Topic(
        "Reward Model Overoptimization in Preference Fine-Tuning",
        ("RLHF", "Goodhart's law", "KL regularization"),
        "uncertainty-penalized reward ensembles",
        ("PPO with a single reward model", "best-of-n sampling"),
        ("the KL penalty", "the ensemble penalty"),
        ("KL coefficient", "ensemble size"),
        ("Anthropic HH", "TL;DR summarization"),
        ("held-out human ratings",),
        ("prompt_id", "proxy_reward", "gold_reward", "kl"),
    ),
    Topic(
        "Spurious Correlations in Chest X-ray Classifiers",
        ("shortcut learning", "worst-group accuracy", "hospital artifacts"),
        "group-robust fine-tuning",
        ("empirical risk minimization", "GroupDRO"),
        ("artifact masking", "group annotations"),
        ("group weight step size", "image resolution"),
        ("CheXpert", "MIMIC-CXR"),
        ("NIH ChestX-ray14",),
        ("study_id", "label", "group", "probability"),
    ),
    Topic(
        "Low-Rank Adapters for Code Generation Models",
        ("parameter-efficient fine-tuning", "LoRA rank", "code synthesis"),
        "rank-adaptive LoRA",
        ("full fine-tuning", "fixed-rank LoRA"),
        ("rank pruning", "adapter dropout"),
        ("LoRA rank", "learning rate"),
        ("HumanEval", "MBPP"),
        ("DS-1000",),
        ("task_id", "pass_at_1", "tokens", "rank"),
    ),
    Topic(
        "Counterfactual Fairness Regularization for Credit Scoring",
        ("counterfactual fairness", "demographic parity", "tabular models"),
        "counterfactual logit pairing",
        ("gradient-boosted trees", "adversarial debiasing"),
        ("the pairing loss", "feature reweighting"),
        ("fairness weight", "tree depth"),
        ("Adult Income", "German Credit"),
        ("Home Credit (held-out year)",),
        ("applicant_id", "score", "group", "approved"),
    ),
    Topic(
        "Graph Neural Networks for Traffic Forecasting",
        ("spatio-temporal graphs", "diffusion convolution", "long-horizon forecasting"),
        "adaptive-adjacency diffusion GNN",
        ("DCRNN", "a temporal convolution network"),
        ("the learned adjacency", "the gated temporal unit"),
        ("diffusion steps", "horizon"),
        ("METR-LA", "PEMS-BAY"),
        ("PEMS08",),
        ("sensor_id", "horizon", "mae", "rmse"),
    ),
)

EXPERIMENT_TITLES = (
    "{method} vs. {baseline} on {dataset}",
    "Ablation: removing {component} from {method}",
    "Sweep over {hparam} for {method}",
    "Seed robustness of {method} on {dataset}",
    "Out-of-distribution evaluation on {ood}",
    "Scaling study of {method} on {dataset}",
    "Sensitivity of {method} to {hparam}",
)

# role -> (task type, phases where the role is busiest, task descriptions)
ROLES: dict[str, tuple[str, tuple[int, ...], tuple[str, ...]]] = {
    "Literature Scout": (
        "literature_search",
        (0,),
        (
            "Searching arXiv and Semantic Scholar for work on {kw}",
            "Screening {n} abstracts about {kw}",
            "Summarising the strongest baselines for {kw}",
        ),
    ),
    "Citation Analyst": (
        "citation_analysis",
        (0, 5),
        ("Tracing the citation graph around {kw}", "Checking every reference in the related-work section"),
    ),
    "Hypothesis Generator": (
        "hypothesis_generation",
        (1,),
        ("Drafting testable hypotheses about {kw}", "Refining hypothesis {i} after critique"),
    ),
    "Novelty Checker": (
        "novelty_check",
        (1, 2),
        (
            "Checking hypothesis {i} against prior work on {kw}",
            "Comparing the proposed {method} with published variants",
        ),
    ),
    "Experiment Designer": (
        "experiment_design",
        (2, 3),
        ("Designing controls for {method} on {dataset}", "Choosing metrics and seeds for the {dataset} study"),
    ),
    "Data Engineer": (
        "data_preparation",
        (2, 3),
        ("Preprocessing {dataset}", "Building held-out evaluation splits for {dataset}"),
    ),
    "Experiment Runner": (
        "training_run",
        (3,),
        ("Training {method} on {dataset} (seed {i})", "Running the {baseline} baseline on {dataset}"),
    ),
    "Results Analyst": (
        "data_analysis",
        (3, 4),
        ("Analysing learning curves of {method}", "Comparing {method} against {baseline}"),
    ),
    "Statistician": (
        "statistical_testing",
        (4,),
        ("Bootstrapping confidence intervals over {n} resamples", "Running paired significance tests across seeds"),
    ),
    "Plot Generator": (
        "visualization",
        (4, 5),
        ("Plotting accuracy against {hparam}", "Rendering the ablation figure for {method}"),
    ),
    "Paper Writer": (
        "writing",
        (5,),
        ("Writing the {section} section", "Tightening the abstract and contributions list"),
    ),
    "Reviewer": (
        "peer_review",
        (5,),
        ("Reviewing the draft for unsupported claims", "Checking that figures match the reported numbers"),
    ),
}
CORE_ROLES = ("Literature Scout", "Hypothesis Generator", "Experiment Runner", "Paper Writer")
REPEATABLE_ROLES = ("Experiment Runner", "Results Analyst", "Data Engineer")
SECTIONS = ("introduction", "related work", "method", "experiments", "limitations", "conclusion")

FINDINGS = (
    "{method} improves accuracy by {delta:.1f} points over {baseline} ({base:.3f} → {acc:.3f})",
    "Effect size d = {effect:.2f} with n = {n:,}",
    "Paired bootstrap p = {p:.2g} across {k} seeds",
    "Removing {component} costs {drop:.1f} points, the largest single ablation effect",
    "On {ood} the gain shrinks to {small:.1f} points, suggesting partial overfitting to {dataset}",
    "Calibration error (ECE) falls from {ece0:.3f} to {ece1:.3f}",
    "Seed-to-seed standard deviation is ±{sd:.3f}",
    "Training cost is {cost:.1f}× that of {baseline} at matched accuracy",
)
SUMMARIES = (
    "{method} reaches {acc:.1%} accuracy on {dataset}, {delta:+.1f} points relative to {baseline}.",
    "On {dataset}, {method} beats {baseline} by {delta:.1f} points; the effect holds across {k} seeds.",
    "{title} finished: accuracy {acc:.3f} (95% CI {lo:.3f}–{hi:.3f}).",
)
FAILURES = (
    (
        "Training diverged at step {step:,}: the loss became NaN shortly after warm-up.",
        ("Gradient norm exceeded {grad:.0f} before divergence", "Suggested fix: lower the peak learning rate to {lr}"),
    ),
    (
        "CUDA out of memory at batch size {bs}; the run stopped before its first evaluation.",
        (
            "Peak memory reached {mem:.1f} GB on a 40 GB device",
            "Suggested fix: gradient checkpointing or batch size {half}",
        ),
    ),
    (
        "The evaluation harness timed out after {mins} minutes on {dataset}.",
        ("{done} of {total} evaluation shards completed", "No metrics were reported for the remaining shards"),
    ),
    (
        "Preprocessing failed with a shape mismatch in the {dataset} loader; no metrics were produced.",
        ("Expected sequences of length {seq}, got {seq2}", "The data pipeline change was rolled back"),
    ),
)
PARTIAL = "Only {k} of {total} seeds finished within the compute budget; the estimates are provisional."
VIZ = (
    ("learning_curve", "Learning curves", "Training and validation loss per step"),
    ("bar_chart", "Accuracy by method", "Mean accuracy with 95% intervals over seeds"),
    ("scatter_plot", "Accuracy vs. {hparam}", "Each point is one run of the sweep"),
    ("heatmap", "Per-class error rates", "Confusion structure of the best run"),
)

ISSUES = {
    "bias": (
        (
            "Evaluation data over-represents high-resource settings",
            "Report results per subgroup and rebalance the test split",
            True,
        ),
        (
            "Baselines received a smaller tuning budget than the proposed method",
            "Give every method the same tuning budget",
            True,
        ),
        (
            "Performance gap between demographic groups exceeds 5 points",
            "Audit the gap and add a fairness constraint",
            False,
        ),
    ),
    "privacy": (
        (
            "The dataset may contain personally identifiable information",
            "Scrub PII and document the data licence",
            True,
        ),
        ("Raw records are stored alongside model checkpoints", "Keep raw data in access-controlled storage", False),
    ),
    "safety": (
        ("Generated outputs were not screened for harmful content", "Add a red-teaming pass before release", False),
        (
            "Failure modes under distribution shift are not characterised",
            "Evaluate on out-of-distribution data before deployment claims",
            False,
        ),
    ),
    "transparency": (
        ("Hyperparameter search budget is not reported", "Publish the full configs and compute budget", True),
        ("Negative results from failed runs are omitted", "Report failed and partial runs in an appendix", True),
        ("Random seeds are not fixed in the released code", "Fix and publish seeds for every run", True),
    ),
}
RECOMMENDATIONS = (
    "Validate findings with an independent replication",
    "Document every data preprocessing step",
    "Report compute and energy use alongside results",
    "Release evaluation code with the paper",
    "Include a limitations section that names the failure modes",
    "Have a domain expert review claims about real-world impact",
)
FRAMEWORK_TEXT = {
    "utilitarian": (
        "Expected benefits clearly outweigh the risks",
        "Benefits and risks are roughly balanced",
        "Potential harms may outweigh the benefits",
    ),
    "deontological": (
        "Follows consent and licensing obligations",
        "Some data-use obligations are unclear",
        "Data use may breach licence terms",
    ),
    "virtue_ethics": (
        "Demonstrates scientific integrity and candour",
        "Reporting is mostly candid",
        "Claims go beyond the evidence",
    ),
    "care_ethics": (
        "Considers the people affected by the results",
        "Affected stakeholders are only partly considered",
        "Affected stakeholders are not considered",
    ),
    "justice_ethics": (
        "Benefits are distributed fairly across groups",
        "Some groups may benefit less",
        "Outcomes may disadvantage some groups",
    ),
    "precautionary": (
        "Risks are identified and mitigated",
        "Some risks lack mitigation",
        "Known risks are not mitigated",
    ),
}

SERVICES = ("agent_service", "research_orchestrator", "experiment_scheduler", "artifact_store", "literature_index")
SYSTEM_EVENTS = {
    "maintenance": (
        (
            "Scheduled maintenance of the GPU cluster",
            "GPU nodes will be drained and patched; running training jobs will be checkpointed",
        ),
        ("Database migration window", "The results database moves to a new version; writes pause briefly"),
    ),
    "scale": (
        (
            "Worker pool scaled from {a} to {b} GPU nodes",
            "The scheduler added capacity because the experiment queue grew",
        ),
        ("Worker pool scaled down to {a} nodes", "Idle capacity was released after the queue drained"),
    ),
    "error": (
        ("GPU node gpu-{n:02d} stopped responding", "{k} training jobs were rescheduled to other nodes"),
        ("Artifact store latency above {s:.1f} s", "Uploads of checkpoints and plots are slower than usual"),
        ("Experiment scheduler restarted after a crash", "Queued experiments were restored from the journal"),
    ),
    "update": (
        ("Agent runtime updated to v2.{a}.{b}", "Agents pick up the new runtime at their next task"),
        ("Literature index refreshed with {n:,} new papers", "Searches now include papers from the last week"),
    ),
}
MAINTENANCE_ACTIONS = (
    "Save all active research sessions",
    "Export critical experiment results",
    "Pause long-running training jobs",
    "Avoid starting new hyperparameter sweeps",
)
