//! An organization subtree built in memory before it is written: nodes in creation order, each
//! with its materialized path already assigned (the builder owns the empty database, so it knows
//! every parent's next child number).

use std::collections::HashSet;
use std::sync::Arc;

use domain::member::Sex;
use domain::org::{OrgInput, OrgKind};
use domain::path;

use crate::people::{Kind, Mix};

/// What a node stands for in the demo's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// 省委、市委、县委: a 地方党委.
    Local,
    /// 乡镇 (街道) 党(工)委.
    Township,
    /// The top organization of a village or community.
    Village,
    Other,
}

/// A person named while building the tree (a branch secretary or a party group leader), who
/// becomes the organization's first member when members are generated.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub sex: Sex,
    pub age: i32,
    pub phone: String,
}

/// Members to generate directly in an organization (a branch or a party group).
#[derive(Debug, Clone)]
pub struct Hold {
    pub n: u32,
    pub probationary: u32,
    pub kind: Kind,
    /// County code for the members' ID numbers.
    pub region: &'static str,
    /// Prefecture code, for members registered in a neighbouring county.
    pub pref: &'static str,
    pub mix: Arc<Mix>,
    /// 工作单位.
    pub unit: Option<String>,
    /// 现居住社区 of a community's members.
    pub community: Option<String>,
    pub secretary: Option<Person>,
    /// The branch has a 支部委员会: its second and third members are 支部委员.
    pub committee: bool,
    /// A 党小组: its `secretary` is the group leader (组长).
    pub group: bool,
}

impl Hold {
    pub fn full(&self) -> u32 {
        self.n - self.probationary
    }
}

#[derive(Debug, Clone)]
pub struct Node {
    pub parent: Option<usize>,
    pub path: String,
    pub next_child: u32,
    pub children: Vec<usize>,
    pub org: OrgInput,
    pub role: Role,
    pub hold: Option<Hold>,
}

impl Node {
    pub fn kind(&self) -> OrgKind {
        self.org.kind.unwrap_or(OrgKind::Branch)
    }
}

/// A subtree under a base organization (or the roots, when `base_path` is empty).
#[derive(Debug, Clone, Default)]
pub struct Tree {
    pub base_path: String,
    pub base_next: u32,
    pub nodes: Vec<Node>,
    names: HashSet<(usize, String)>,
}

impl Tree {
    /// Children of the organization at `base_path`, numbered from `first_seq`.
    pub fn under(base_path: &str, first_seq: u32) -> Tree {
        Tree { base_path: base_path.to_string(), base_next: first_seq, nodes: Vec::new(), names: HashSet::new() }
    }

    fn key(parent: Option<usize>) -> usize {
        parent.map(|p| p + 1).unwrap_or(0)
    }

    pub fn name_taken(&self, parent: Option<usize>, name: &str) -> bool {
        self.names.contains(&(Self::key(parent), name.to_string()))
    }

    pub fn add(&mut self, parent: Option<usize>, org: OrgInput, role: Role) -> usize {
        let (prefix, seq) = match parent {
            Some(p) => {
                let n = &mut self.nodes[p];
                n.next_child += 1;
                (n.path.clone(), n.next_child - 1)
            }
            None => {
                self.base_next += 1;
                (self.base_path.clone(), self.base_next - 1)
            }
        };
        let idx = self.nodes.len();
        self.names.insert((Self::key(parent), org.name.clone()));
        self.nodes.push(Node {
            parent,
            path: format!("{prefix}{}", path::segment(seq)),
            next_child: 0,
            children: Vec::new(),
            org,
            role,
            hold: None,
        });
        if let Some(p) = parent {
            self.nodes[p].children.push(idx);
        }
        idx
    }

    /// Every node in the subtree of `idx` (itself first, then descendants depth-first).
    pub fn subtree(&self, idx: usize) -> Vec<usize> {
        let mut out = vec![idx];
        let mut i = 0;
        while i < out.len() {
            out.extend(self.nodes[out[i]].children.iter().copied());
            i += 1;
        }
        out
    }

    /// Members planned in the subtree of `idx`: (total, full).
    pub fn planned(&self, idx: usize) -> (u32, u32) {
        self.subtree(idx)
            .into_iter()
            .filter_map(|i| self.nodes[i].hold.as_ref())
            .fold((0, 0), |(t, f), h| (t + h.n, f + h.full()))
    }
}
