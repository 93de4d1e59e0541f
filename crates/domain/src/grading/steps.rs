//! The steps of a grading cycle, each with its owner: GRADE-07 (支部自评 → 党员群众满意度测评 →
//! 上级评定 → 核准定级) or speech 002's 摸、查、测、定、改. An organization's entry moves through
//! them one at a time; a step may be returned to the one before with a reason.

use serde::{Deserialize, Serialize};

crate::labelled_enum! {
    /// Who acts at a step.
    Owner {
        Own = "own", "本组织";
        Superior = "superior", "上级党组织";
        Department = "department", "组织部";
    }
}

crate::labelled_enum! {
    /// The shipped step lists.
    StepPreset {
        Grade07 = "grade07", "支部自评、满意度测评、上级评定、核准定级（GRADE-07）";
        Mochaceding = "mochaceding", "摸、查、测、定、改";
    }
}

/// One step of a cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub label: String,
    pub owner: Owner,
}

fn step(label: &str, owner: Owner) -> Step {
    Step { label: label.into(), owner }
}

impl StepPreset {
    pub fn steps(self) -> Vec<Step> {
        match self {
            StepPreset::Grade07 => vec![
                step("支部自评", Owner::Own),
                step("党员群众满意度测评", Owner::Own),
                step("上级评定", Owner::Superior),
                step("核准定级", Owner::Department),
            ],
            StepPreset::Mochaceding => vec![
                step("摸底排查", Owner::Own),
                step("查找问题", Owner::Superior),
                step("测评打分", Owner::Superior),
                step("评定等次", Owner::Department),
                step("整改提高", Owner::Own),
            ],
        }
    }
}

/// The step after `at`, if any.
pub fn next(steps: &[Step], at: usize) -> Option<usize> {
    (at + 1 < steps.len()).then_some(at + 1)
}

/// The step before `at`, if any (where a returned entry goes).
pub fn previous(at: usize) -> Option<usize> {
    at.checked_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grade07_steps_in_order() {
        // GRADE-07
        let s = StepPreset::Grade07.steps();
        let labels: Vec<&str> = s.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["支部自评", "党员群众满意度测评", "上级评定", "核准定级"]);
        assert_eq!(s[3].owner, Owner::Department);
        assert_eq!(next(&s, 2), Some(3));
        assert_eq!(next(&s, 3), None);
        assert_eq!(previous(0), None);
        assert_eq!(StepPreset::Mochaceding.steps().len(), 5);
    }
}
