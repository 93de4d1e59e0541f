//! `dangjian serve`: the web application. With `--demo`, an empty database first gets the demo
//! city and a set of demo accounts, which are printed with the address.

use std::net::SocketAddr;

use anyhow::{Context, Result};
use clap::Args;
use domain::account::{PasswordPolicy, Role};
use domain::org::OrgKind;
use store::account::NewAccount;

use super::today;
use crate::Ctx;

#[derive(Args)]
pub struct ServeArgs {
    /// 监听地址 / listen address
    #[arg(long, default_value = "127.0.0.1:8080", env = "DANGJIAN_ADDR")]
    addr: SocketAddr,
    /// 空库时生成演示城市和演示账号 / build the demo city and demo accounts in an empty database
    #[arg(long)]
    demo: bool,
    /// 在 HTTPS 反向代理之后：Cookie 加 Secure / behind a TLS proxy: mark cookies Secure
    #[arg(long, env = "DANGJIAN_SECURE_COOKIES")]
    secure_cookies: bool,
    /// 密码策略：mlps（等保，默认，90 天更换）、mlps:天数、asvs / password policy: mlps, mlps:DAYS or asvs
    #[arg(long, env = "DANGJIAN_PASSWORD_POLICY", default_value = "mlps", value_parser = super::user::parse_policy)]
    password_policy: domain::account::PasswordPolicy,
    /// 消息邮件：SMTP 中继地址 smtp://主机:端口，不设则不发邮件 / mail relay for messages; unset: no mail
    #[arg(long, env = "DANGJIAN_SMTP_URL")]
    smtp_url: Option<String>,
    /// 消息邮件的发件地址 / sender address of message mail
    #[arg(long, env = "DANGJIAN_SMTP_FROM", default_value = "dangjian@localhost")]
    smtp_from: String,
    /// 收件邮箱域名：账号 zhangsan 收件地址为 zhangsan@域名 / recipients' mail domain
    #[arg(long, env = "DANGJIAN_SMTP_DOMAIN", default_value = "")]
    smtp_domain: String,
    /// 本站地址，用于邮件中的链接 / this site's address, for links in mail
    #[arg(long, env = "DANGJIAN_SITE_URL", default_value = "")]
    site_url: String,
    /// 消息只写日志（试用发送，不需要邮件服务器） / log each message instead of mailing it
    #[arg(long, env = "DANGJIAN_NOTIFY_LOG")]
    notify_log: bool,
}

/// The demo accounts: (username, password, display name, role, which organization).
const DEMO_ACCOUNTS: &[(&str, &str, &str, Role, &str)] = &[
    ("zzb", "Zuzhi#2026dj", "王主任", Role::OrgDeptAdmin, "root"),
    ("xian", "County#2026dj", "李干事", Role::OrgAdmin, "county"),
    ("zhibu", "Branch#2026dj", "赵书记", Role::PartyWorker, "branch"),
    ("dangyuan", "Member#2026dj", "", Role::Member, "member"),
    ("anquan", "Guard#2026dj", "信息中心 安全管理员", Role::SecurityAdmin, ""),
    ("shenji", "Trail#2026dj", "信息中心 审计管理员", Role::AuditAdmin, ""),
    ("xitong", "Ops#2026djx", "信息中心 系统管理员", Role::SystemAdmin, ""),
];

async fn demo_accounts(ctx: &Ctx, store: &store::Store) -> Result<Vec<String>> {
    let scope = ctx.scope();
    let root = super::pick_org(store, &scope, None).await?.into_inner();
    let county = store::org::children(store, &scope, root.id)
        .await?
        .into_iter()
        .find(|o| o.kind == OrgKind::LocalCommittee)
        .unwrap_or_else(|| root.clone());
    let branch = store::org::subtree(store, &scope, county.id, None)
        .await?
        .into_iter()
        .find(|n| n.org.kind.is_branch() && n.counts.total >= 5)
        .map(|n| n.org)
        .unwrap_or_else(|| county.clone());
    // the 党员 account is the first current member of the demo branch
    let filter = store::member::MemberFilter::default();
    let member = store::member::list(store, &scope, branch.id, &filter, 1, 1).await?.items.into_iter().next();
    let policy = PasswordPolicy::default();
    let mut lines = Vec::new();
    for (user, pass, name, role, at) in DEMO_ACCOUNTS {
        let org = match *at {
            "root" => Some(&root),
            "county" => Some(&county),
            "branch" | "member" => Some(&branch),
            _ => None,
        };
        // named after the organization they work for, so the demo reads true: a 区委's department
        // is the 区委组织部, and the branch's account is its 书记 as the organization page names him
        let dept = |o: &domain::org::Org| format!("{}组织部", o.name.trim_start_matches("中共"));
        let (member_id, name) = match (*at, &member) {
            ("member", Some(m)) => (Some(m.id), m.name.clone()),
            ("member", None) => continue,
            ("root", _) => (None, format!("{} {name}", dept(&root))),
            ("county", _) => (None, format!("{} {name}", dept(&county))),
            ("branch", _) => {
                (None, format!("支部书记 {}", branch.secretary.clone().unwrap_or_else(|| name.to_string())))
            }
            _ => (None, name.to_string()),
        };
        if store::account::find_account(store, user).await.is_err() {
            let new = NewAccount {
                username: user.to_string(),
                display_name: name.clone(),
                password: pass.to_string(),
                member_id,
                must_change_password: false,
                grants: vec![(*role, org.filter(|_| role.needs_org()).map(|o| o.id))],
                // the demo city's accounts: in effect at once, as at the command line
                created_by: None,
            };
            store::account::create_account(store, &scope, &new, &policy)
                .await
                .with_context(|| format!("创建演示账号 {user} 失败"))?;
        }
        let note = if role.requires_totp() { "（首次登录须绑定手机验证器）" } else { "" };
        let place = match (org, *at) {
            (Some(o), "member") => format!("{name}，{}", o.name),
            (Some(o), _) => o.name.clone(),
            (None, _) => "不接触业务数据".to_string(),
        };
        lines.push(format!("  {user:<8} / {pass:<15} {}：{place}{note}", role.label()));
    }
    Ok(lines)
}

/// Pass new messages to the channel every minute: those posted since the server started (what
/// was posted while no channel was configured stays in the message centre only). The channel's
/// I/O blocks, so it runs on a thread of its own.
fn spawn_delivery(store: store::Store, channel: Box<dyn service::message::Channel>) {
    let since = chrono::Utc::now();
    let handle = tokio::runtime::Handle::current();
    std::thread::spawn(move || loop {
        match handle.block_on(service::message::deliver(&store, channel.as_ref(), since, 200)) {
            Ok((sent, failed)) if sent + failed > 0 => tracing::info!(sent, failed, "消息发送"),
            Ok(_) => {}
            Err(e) => tracing::warn!("消息发送失败：{e}"),
        }
        std::thread::sleep(std::time::Duration::from_secs(60));
    });
}

/// The demo's messages: the demo branch's returned records announced to its recorders, and its
/// submitted ones to the reviewers above it, as if they had just happened. Only when the demo
/// accounts were created now, so a restart does not post them again.
async fn demo_messages(store: &store::Store) -> Result<usize> {
    let ctx = service::Ctx::operator(store::Actor::new("demo", "系统"));
    let scope = ctx.scope_for(domain::access::Perm::ReadLife);
    let Some(branch) =
        store::account::find_account(store, "zhibu").await.ok().and_then(|a| a.grants.first().and_then(|g| g.org_id))
    else {
        return Ok(0);
    };
    let org = store::org::visible(store, &scope, branch).await?;
    let mut n = 0;
    for (status, accept) in
        [(domain::life::RecordStatus::Returned, false), (domain::life::RecordStatus::Submitted, true)]
    {
        let filter = store::life::RecordFilter { status: Some(status), ..Default::default() };
        for r in store::life::list(store, &org, &filter, 1, 3).await?.items {
            let draft = if accept {
                domain::message::submitted(r.id, &r.org_name, &r.title, r.held_on)
            } else {
                let reason = r.return_reason.clone().unwrap_or_else(|| "请补充会议纪要".into());
                domain::message::returned(r.id, &r.org_name, &r.title, r.held_on, &reason)
            };
            let about = store::org::visible(store, &scope, r.org_id).await?;
            // a submitted record is announced at its reviewer's level, like a real submission
            let target = match (accept, domain::life::reviewer_path(&r.path)) {
                (true, Some(_)) => store::org::visible(store, &scope, about.parent_id.unwrap_or(about.id)).await?,
                _ => about,
            };
            n += service::message::post(store, &ctx, &target, &draft).await?;
        }
    }
    Ok(n)
}

pub async fn run(ctx: &Ctx, a: ServeArgs) -> Result<()> {
    let store = ctx.open().await?;
    let mut accounts = Vec::new();
    if a.demo {
        if store::org::roots(&store, &ctx.scope()).await?.is_empty() {
            println!("空库：正在生成演示城市 …");
            let bar = ctx.bar();
            let opts = demo::DemoOptions { scale: demo::Scale::City, seed: 2026, today: today() };
            let summary = demo::build(&store, &opts, &bar).await?;
            store::Progress::finish(&bar);
            println!("{}", summary.report());
        }
        let fresh = store::account::find_account(&store, "zhibu").await.is_err();
        accounts = demo_accounts(ctx, &store).await?;
        if fresh {
            demo_messages(&store).await?;
        }
    }
    // the organization-life findings behind the home page's to-dos: at start unless done today,
    // then every day at 01:00 China time
    super::life::spawn_daily(store.clone());
    // a signed checkpoint of the audit chain now, then every day
    super::audit::spawn_daily(store.clone());
    let mail = crate::config::MailConfig {
        smtp_url: a.smtp_url.clone(),
        from: a.smtp_from.clone(),
        domain: a.smtp_domain.clone(),
        site: a.site_url.clone(),
        log_only: a.notify_log,
    };
    if let Some(ch) = crate::config::channel(&mail)? {
        println!("消息发送：{}", if ch.name() == "smtp" { "邮件" } else { "仅写日志" });
        spawn_delivery(store.clone(), ch);
    }
    let app = web::router({
        let mut st = web::AppState::new(store.clone());
        st.secure_cookies = a.secure_cookies;
        st.policy = a.password_policy;
        st
    });
    let listener = tokio::net::TcpListener::bind(a.addr).await.with_context(|| format!("无法监听 {}", a.addr))?;
    println!("dangjian 已启动：http://{}/", a.addr);
    if !accounts.is_empty() {
        println!("演示账号（用户名 / 密码）：");
        for l in &accounts {
            println!("{l}");
        }
    }
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("服务异常退出")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_passwords_meet_both_policies() {
        for (user, pass, _, _, _) in DEMO_ACCOUNTS {
            PasswordPolicy::default().check(pass, user).unwrap_or_else(|e| panic!("{user}: {e:?}"));
            assert!(PasswordPolicy::from_name("mlps").unwrap().check(pass, user).is_ok(), "{user}");
        }
    }
}
