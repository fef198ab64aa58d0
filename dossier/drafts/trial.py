"""The planned trial and the clinical results to date, as blocks shared by the drafts.

The IMPD's dose section shows the dose plan (cohorts, fold increases, staggering,
stopping rules); the briefing document shows the whole synopsis and, from the
confirmatory stage on, the clinical results to date. Both read ``clinical_trial`` and
``clinical_experience`` and the fold increases computed once
(:mod:`dossier.analysis.trial`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dossier.analysis.results import fold_text
from dossier.drafts.blocks import Block, Bullets, Cell, Missing, Para, Table
from dossier.drafts.fmt import date, given, join_items, plural

if TYPE_CHECKING:  # pragma: no cover
    from dossier.analysis.results import TrialComputed
    from dossier.model.project import Project
    from dossier.model.trial import ClinicalExperience, ClinicalTrial

__all__ = ["dose_plan", "results_to_date", "synopsis"]


def _dose(value: float, unit: str) -> str:
    return f"{given(value)} {unit}"


def _fold_sentence(computed: TrialComputed | None) -> list[Block]:
    """The largest fold increase between consecutive cohorts, and the steps that could
    not be compared."""
    if computed is None or not computed.steps:
        return []
    top = computed.maximum
    out: list[Block] = []
    if top is not None:
        out.append(
            Para.of(
                f"Maximum fold increase between consecutive cohorts: {fold_text(top.fold or 0)} "
                f"({top.from_cohort} to {top.to_cohort})."
            )
        )
    if computed.incomparable:
        out.append(
            Para.of(
                "Not compared, because the doses are in units that cannot be compared: "
                + "; ".join(s.text for s in computed.incomparable)
                + "."
            )
        )
    return out


def dose_plan(
    project: Project, trial: ClinicalTrial, computed: TrialComputed | None, key: str
) -> list[Block]:
    """The cohorts with their doses and fold increases, the maximum dose of the dose
    rationale, staggering and stopping rules."""
    blocks: list[Block] = []
    if trial.cohorts:
        folds = {s.to_cohort: s for s in computed.steps} if computed is not None else {}
        rows: list[list[Cell]] = []
        for c in trial.cohorts:
            step = folds.get(c.cohort)
            increase = (
                "—"
                if step is None
                else (fold_text(step.fold) if step.fold is not None else "not comparable")
            )
            rows.append(
                [
                    c.cohort,
                    _dose(c.dose.value, c.dose.unit),
                    str(c.patients) if c.patients else "—",
                    increase,
                ]
            )
        blocks.append(
            Table(
                key,
                "Cohorts of the planned trial",
                ["Cohort", "Dose", "Patients", "Increase from the previous cohort"],
                rows,
            )
        )
        blocks += _fold_sentence(computed)
        if trial.max_fold_increase is not None:
            # the declared limit is shown as declared; whether a step exceeds it is the
            # finding of rule FIH-018 in the readiness report
            blocks.append(
                Para.of(
                    "Largest fold increase the protocol allows between consecutive cohorts: "
                    f"{fold_text(trial.max_fold_increase)}."
                )
            )
        top = project.fih_dose.maximum_dose if project.fih_dose is not None else None
        if top is not None:
            blocks.append(
                Para.of(f"Maximum planned dose (dose rationale): {_dose(top.value, top.unit)}.")
            )
    else:
        blocks.append(
            Para.of(
                "Cohorts: ", Missing("clinical_trial.cohorts", "cohorts or arms and their doses")
            )
        )
    # sentinel dosing, staggering and stopping rules belong to the early trials: at the
    # confirmatory stage they are shown when declared, never asked for
    early = project.stage != "confirmatory"
    st = trial.staggering
    if st is not None or early:
        blocks.append(
            Para.of(
                "Staggering: ",
                (
                    f"sentinel dosing; {given(st.interval_days)} days between patients"
                    if st.sentinel and st.interval_days is not None
                    else (
                        "sentinel dosing; interval between patients not stated"
                        if st.sentinel
                        else "no sentinel dosing"
                    )
                )
                if st
                else Missing("clinical_trial.staggering", "staggering"),
                f". {st.between_cohorts}" if st and st.between_cohorts else ".",
            )
        )
    if trial.stopping_rules or early:
        blocks.append(
            Para.of(
                "Stopping rules: ",
                join_items(trial.stopping_rules)
                if trial.stopping_rules
                else Missing("clinical_trial.stopping_rules", "stopping rules"),
            )
        )
    return blocks


def synopsis(project: Project, computed: TrialComputed | None) -> list[Block]:
    """The synopsis of the planned trial: title and phase, design, population, cohorts,
    staggering, stopping rules, escalation decision, endpoints, follow-up."""
    trial = project.clinical_trial
    if trial is None:
        return [
            Para.of(
                Missing(
                    "clinical_trial",
                    "synopsis of the planned trial: population, design, cohorts, staggering, "
                    "stopping rules, follow-up",
                )
            )
        ]
    pop = trial.population
    blocks: list[Block] = [
        Para.of(f"{trial.title} (phase {trial.phase}). ", trial.design),
        Para.of("Population: ", pop.description),
    ]
    for label, items, path in (
        ("Key inclusion criteria:", pop.inclusion, "clinical_trial.population.inclusion"),
        ("Key exclusion criteria:", pop.exclusion, "clinical_trial.population.exclusion"),
    ):
        if items:
            blocks += [Para.of(label), Bullets([Para.of(i) for i in items])]
        else:
            blocks.append(Para.of(label + " ", Missing(path, label.lower().rstrip(":"))))
    blocks += dose_plan(project, trial, computed, "tab-trial-cohorts")
    if trial.escalation_decision or len(trial.cohorts) > 1:
        blocks.append(
            Para.of(
                "Dose-escalation decisions: ",
                trial.escalation_decision
                or Missing("clinical_trial.escalation_decision", "who decides on escalation"),
            )
        )
    blocks.append(
        Para.of(
            "Primary endpoints: ",
            join_items(trial.primary_endpoints)
            if trial.primary_endpoints
            else Missing("clinical_trial.primary_endpoints", "primary endpoints"),
        )
    )
    blocks.append(
        Para.of(
            "Follow-up in the trial: ",
            str(trial.follow_up)
            if trial.follow_up
            else Missing("clinical_trial.follow_up", "follow-up of each patient"),
            ". Long-term follow-up: ",
            trial.long_term_follow_up
            or Missing("clinical_trial.long_term_follow_up", "long-term follow-up plan"),
        )
    )
    return blocks


def _results_table(experience: ClinicalExperience) -> Table:
    rows: list[list[Cell]] = []
    for t in experience.trials:
        for level in t.dose_levels:
            rows.append(
                [
                    t.id,
                    _dose(level.dose.value, level.dose.unit),
                    str(level.patients),
                    "not reported" if level.dlts is None else str(level.dlts),
                ]
            )
    return Table(
        "tab-results-dose-levels",
        "Patients dosed per dose level in the trials to date",
        ["Trial", "Dose level", "Patients dosed", "Dose-limiting toxicities"],
        rows,
    )


def results_to_date(project: Project) -> list[Block]:
    """The product's clinical results to date: per trial its status, the patients dosed
    per dose level, key safety findings and signs of efficacy."""
    experience = project.clinical_experience
    if experience is None:
        return [
            Para.of(
                Missing(
                    "clinical_experience",
                    "clinical results to date: trials, patients dosed per dose level, "
                    "safety findings, efficacy",
                )
            )
        ]
    blocks: list[Block] = []
    for t in experience.trials:
        dosed = sum(level.patients for level in t.dose_levels)
        cutoff = f", data cut-off {date(t.data_cutoff)}" if t.data_cutoff else ""
        blocks.append(
            Para.of(
                f"{t.title} (phase {t.phase}, {t.status}{cutoff}): "
                f"{dosed} patients dosed at {len(t.dose_levels)} dose "
                + ("level." if len(t.dose_levels) == 1 else "levels.")
            )
        )
        dlts = [level.dlts for level in t.dose_levels if level.dlts is not None]
        counts = (
            [f"{sum(dlts)} dose-limiting {plural(sum(dlts), 'toxicity', 'toxicities')}"]
            if dlts
            else []
        ) + (
            [
                f"{t.patients_with_sae} {plural(t.patients_with_sae, 'patient')} with a serious adverse event"
            ]
            if t.patients_with_sae is not None
            else []
        )
        blocks.append(
            Para.of("Safety: ", *([f"{'; '.join(counts)}. "] if counts else []), t.safety)
        )
        blocks.append(
            Para.of(
                "Efficacy: ",
                t.efficacy
                or Missing(f"clinical_experience.trials[{t.id}].efficacy", "signs of efficacy"),
            )
        )
    blocks.append(_results_table(experience))
    if experience.conclusions:
        blocks.append(Para.of("Conclusions for the planned trial: ", experience.conclusions))
    return blocks
