//! Roles per unit, scoped to the unit's subtree; decisions with no I/O.

use serde::{Deserialize, Serialize};

/// A role held over a unit and everything below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    /// Thường trực BCĐ / Ban Dân vận.
    Office,
    /// Cán bộ báo cáo.
    Reporter,
    /// Lãnh đạo.
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Office => "office",
            Self::Reporter => "reporter",
            Self::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Self::Admin, Self::Office, Self::Reporter, Self::Viewer]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// A role on a unit (by id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub unit_id: i64,
}

/// What is being attempted on a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read reports, statuses and consolidations.
    View,
    /// Draft and submit the unit's own report.
    Report,
    /// Issue rounds, return, accept, consolidate, adopt.
    Manage,
    /// Units, users, templates.
    Administer,
}

/// Decides whether `grants` allow `perm` on a unit whose ancestors (itself
/// included) are `lineage`. Reporters act on their own unit only; office, viewer
/// and admin roles reach the whole subtree.
pub fn allowed(grants: &[Grant], perm: Permission, unit_id: i64, lineage: &[i64]) -> bool {
    grants.iter().any(|g| {
        let in_subtree = lineage.contains(&g.unit_id) || g.unit_id == unit_id;
        match (g.role, perm) {
            (Role::Admin, _) => in_subtree,
            (Role::Office, Permission::View | Permission::Manage) => in_subtree,
            (Role::Office, Permission::Report) => g.unit_id == unit_id,
            (Role::Reporter, Permission::View | Permission::Report) => g.unit_id == unit_id,
            (Role::Viewer, Permission::View) => in_subtree,
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes() {
        // province 1 > commune 2; commune 3 elsewhere
        let office = [Grant {
            role: Role::Office,
            unit_id: 1,
        }];
        let reporter = [Grant {
            role: Role::Reporter,
            unit_id: 2,
        }];
        let viewer = [Grant {
            role: Role::Viewer,
            unit_id: 1,
        }];
        assert!(allowed(&office, Permission::Manage, 2, &[2, 1]));
        assert!(!allowed(&office, Permission::Manage, 3, &[3, 9]));
        assert!(!allowed(&office, Permission::Report, 2, &[2, 1]));
        assert!(allowed(&office, Permission::Report, 1, &[1]));
        assert!(allowed(&reporter, Permission::Report, 2, &[2, 1]));
        assert!(!allowed(&reporter, Permission::Report, 3, &[3, 1]));
        assert!(!allowed(&reporter, Permission::Manage, 2, &[2, 1]));
        assert!(allowed(&viewer, Permission::View, 2, &[2, 1]));
        assert!(!allowed(&viewer, Permission::Report, 2, &[2, 1]));
        assert!(!allowed(&[], Permission::View, 2, &[2, 1]));
    }
}
