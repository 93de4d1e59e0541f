//! `dangjian user …`: accounts and role grants, for the operator at the command line (recorded in
//! the audit trail as `cli:<login name>`). Grants made here take effect at once, without the
//! second person the pages require: this is how the first officer of an installation is made
//! (whoever runs the server's command line can change its database anyway). Passwords are read from standard input, never from
//! arguments (which other users of the machine can see in the process list).

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use domain::account::{PasswordPolicy, Role};
use store::account::{self, NewAccount};

use crate::Ctx;

pub(crate) fn parse_policy(s: &str) -> Result<PasswordPolicy, String> {
    PasswordPolicy::from_name(s).ok_or_else(|| format!("密码策略应为 mlps、mlps:天数 或 asvs（现在是“{s}”）"))
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("角色应为 {}（或其英文代码）", Role::labels()))
}

#[derive(Args)]
pub struct UserArgs {
    /// 密码策略：mlps（等保，默认，90 天更换）、mlps:天数、asvs / password policy: mlps (MLPS 2.0, default, 90-day
    /// expiry), mlps:DAYS or asvs (OWASP ASVS)
    #[arg(long, global = true, env = "DANGJIAN_PASSWORD_POLICY", default_value = "mlps", value_parser = parse_policy)]
    password_policy: PasswordPolicy,
    #[command(subcommand)]
    cmd: UserCmd,
}

#[derive(Subcommand)]
pub enum UserCmd {
    /// 新增账号（不给密码时生成初始密码，首次登录须修改）/ add an account (without a password, a generated
    /// initial one that must be changed at first sign-in)
    Add {
        /// 用户名：3 至 32 个小写字母、数字或 _ . - / username: 3-32 of a-z 0-9 _ . -
        username: String,
        /// 姓名（显示名）/ display name
        #[arg(long)]
        name: String,
        /// 角色，可重复：系统管理员、安全管理员、审计管理员、组织部管理员、党组织管理员、党务工作者、党员 /
        /// role, repeatable (codes: system_admin, security_admin, audit_admin, org_dept_admin, org_admin,
        /// party_worker, member)
        #[arg(long = "role", value_name = "ROLE", value_parser = parse_role)]
        roles: Vec<Role>,
        /// 党组织 ID，按顺序对应需要党组织的 --role / organization id, in order, one for each --role that needs one
        #[arg(long = "org", value_name = "ID")]
        orgs: Vec<i64>,
        /// 关联的党员 ID（“党员”角色必需）/ the member this account belongs to (required for 党员)
        #[arg(long, value_name = "ID")]
        member: Option<i64>,
        /// 从标准输入读取密码 / read the password from standard input
        #[arg(long)]
        password_from_stdin: bool,
    },
    /// 列出账号及其角色 / list accounts and their roles
    List,
    /// 授予角色，立即生效（网页上的业务授权须另一人确认；首位组织部管理员在此开通）/ grant a role, in effect at
    /// once (on the pages a business grant needs a second person; the first officer is made here)
    Grant {
        username: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// 党组织 ID（业务角色必需）/ organization id (business roles)
        #[arg(long, value_name = "ID")]
        org: Option<i64>,
    },
    /// 收回角色 / revoke a role
    Revoke {
        username: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// 党组织 ID（业务角色必需）/ organization id (business roles)
        #[arg(long, value_name = "ID")]
        org: Option<i64>,
    },
    /// 停用账号并结束其全部会话 / disable an account and end all its sessions
    Disable { username: String },
    /// 重新启用账号 / enable a disabled account
    Enable { username: String },
    /// 设置新密码（从标准输入读取）/ set a new password (read from standard input)
    Passwd { username: String },
    /// 重置两步验证（用户更换或丢失手机时）/ reset two-factor sign-in (lost or replaced phone)
    ResetTotp { username: String },
}

/// One line from standard input, without its line ending; a prompt on the terminal.
fn read_password(prompt: &str) -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("{prompt}（输入内容会显示在屏幕上，也可以用管道传入）：");
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).context("无法从标准输入读取密码")?;
    let p = line.trim_end_matches(['\n', '\r']).to_string();
    if p.is_empty() {
        bail!("没有读到密码：请在标准输入中提供密码（例如 printf '%s\\n' \"$PASSWORD\" | dangjian user …）");
    }
    Ok(p)
}

/// Pair each role that needs an organization with the next `--org`, in order.
fn pair_grants(roles: &[Role], orgs: &[i64]) -> Result<Vec<(Role, Option<i64>)>> {
    let needing = roles.iter().filter(|r| r.needs_org()).count();
    if needing != orgs.len() {
        bail!(
            "需要党组织的角色（组织部管理员、党组织管理员、党务工作者）有 {needing} 个，但 --org 给了 {} 个：请为每个这样的 --role 依次给一个 --org",
            orgs.len()
        );
    }
    let mut next = orgs.iter();
    Ok(roles.iter().map(|r| (*r, if r.needs_org() { next.next().copied() } else { None })).collect())
}

pub async fn run(ctx: &Ctx, a: UserArgs) -> Result<()> {
    let store = ctx.open().await?;
    let scope = ctx.scope();
    let policy = a.password_policy;
    match a.cmd {
        UserCmd::Add { username, name, roles, orgs, member, password_from_stdin } => {
            let grants = pair_grants(&roles, &orgs)?;
            let (password, generated) = if password_from_stdin {
                (read_password("请输入密码")?, false)
            } else {
                (account::random_password(&policy, &domain::account::normalize_username(&username)), true)
            };
            let new = NewAccount {
                username,
                display_name: name,
                password: password.clone(),
                member_id: member,
                must_change_password: generated,
                grants,
                created_by: None,
            };
            let acc = account::create_account(&store, &scope, &new, &policy).await?;
            let roles = if acc.grants.is_empty() {
                "无（可用 dangjian user grant 授予）".to_string()
            } else {
                acc.roles_text()
            };
            println!("已创建账号 {}（{}），角色：{roles}", acc.account.username, acc.account.display_name);
            if generated {
                println!("初始密码（只显示这一次，首次登录须修改）：{password}");
            }
            if acc.requires_totp() {
                println!("该账号的角色要求两步验证：首次登录时须用验证器（手机 App）绑定。");
            }
        }
        UserCmd::List => {
            let now = chrono::Utc::now();
            let rows: Vec<Vec<String>> = account::list_accounts(&store)
                .await?
                .into_iter()
                .map(|a| {
                    let mut notes = vec![];
                    if a.account.must_change_password {
                        notes.push("须修改初始密码");
                    } else if policy.is_expired(a.account.password_changed_at, now) {
                        notes.push("密码已过期");
                    }
                    if a.requires_totp() && !a.account.has_totp {
                        notes.push("须绑定两步验证");
                    }
                    vec![
                        a.account.id.to_string(),
                        a.account.username.clone(),
                        a.account.display_name.clone(),
                        a.roles_text(),
                        if a.account.is_disabled { "已停用" } else { "正常" }.into(),
                        if a.account.has_totp { "已启用" } else { "未启用" }.into(),
                        notes.join("，"),
                    ]
                })
                .collect();
            if rows.is_empty() {
                println!("还没有账号：可用 dangjian user add 用户名 --name 姓名 --role 角色 新增。");
            } else {
                print!(
                    "{}",
                    crate::table::render(&["ID", "用户名", "姓名", "角色", "状态", "两步验证", "提示"], &rows)
                );
            }
        }
        UserCmd::Grant { username, role, org } => {
            let acc = account::find_account(&store, &username).await?;
            let ctx = service::Ctx::operator(scope.actor().clone());
            service::account::bootstrap_grant(&store, &ctx, acc.account.id, role, org).await?;
            let acc = account::get_account_with_grants(&store, acc.account.id).await?;
            println!("已授予。{} 现在的角色：{}", acc.account.username, acc.roles_text());
        }
        UserCmd::Revoke { username, role, org } => {
            let acc = account::find_account(&store, &username).await?;
            let ctx = service::Ctx::operator(scope.actor().clone());
            service::account::bootstrap_revoke(&store, &ctx, acc.account.id, role, org).await?;
            let acc = account::get_account_with_grants(&store, acc.account.id).await?;
            let roles = if acc.grants.is_empty() { "无".to_string() } else { acc.roles_text() };
            println!("已收回。{} 现在的角色：{roles}", acc.account.username);
        }
        UserCmd::Disable { username } => {
            let acc = account::find_account(&store, &username).await?;
            let ended = account::disable_account(&store, &scope, acc.account.id).await?;
            println!("已停用账号 {}，结束了 {ended} 个会话；其 API 令牌同时失效。", acc.account.username);
        }
        UserCmd::Enable { username } => {
            let acc = account::find_account(&store, &username).await?;
            account::enable_account(&store, &scope, acc.account.id).await?;
            println!("已启用账号 {}。", acc.account.username);
        }
        UserCmd::Passwd { username } => {
            let acc = account::find_account(&store, &username).await?;
            let password = read_password("请输入新密码")?;
            account::set_password(&store, &scope, acc.account.id, &password, &policy).await?;
            println!("已为 {} 设置新密码，并结束了其全部会话。", acc.account.username);
        }
        UserCmd::ResetTotp { username } => {
            let acc = account::find_account(&store, &username).await?;
            account::reset_totp(&store, &scope, acc.account.id).await?;
            println!("已重置 {} 的两步验证和恢复码；下次登录时重新绑定。", acc.account.username);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orgs_pair_with_the_roles_that_need_them() {
        let g = pair_grants(&[Role::Member, Role::OrgAdmin, Role::PartyWorker], &[5, 7]).unwrap();
        assert_eq!(g, vec![(Role::Member, None), (Role::OrgAdmin, Some(5)), (Role::PartyWorker, Some(7))]);
        assert!(pair_grants(&[Role::OrgAdmin], &[]).is_err());
        assert!(pair_grants(&[Role::SecurityAdmin], &[3]).is_err());
        assert_eq!(pair_grants(&[], &[]).unwrap(), vec![]);
    }
}
