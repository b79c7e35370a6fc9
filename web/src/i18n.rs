//! The one translation table: every user-facing string of the app, keyed
//! by [`T`], with one column per language ([`Lang`]). Components never
//! hard-code text; they call [`tr`] or [`trf`] (`{0}`, `{1}`, … are the
//! arguments, so a translation may reorder them; `{0|server|servers}` is
//! the singular when argument 0 is "1", else the plural, for English
//! counts). Lesson texts name the app's controls as `{control:crash}`:
//! [`fill_controls`] puts in the control's label from this table, so a
//! lesson says what the button says in either language.
//!
//! Not translated, on purpose: ZooKeeper's own words (LOOKING, FOLLOWERINFO,
//! zxid, the log lines, 4lw output, finding ids, recipe and hazard names)
//! and the texts the core writes: scenario errors (they name JSON fields),
//! the diagnosis's sentences, evidence and settings, a recipe client's
//! status and a hazard's detail. The app explains them in its own words
//! (severity, each hazard kind) around them.
//!
//! Adding a language: a variant in [`Lang`], a column in the `table!` rows
//! (an empty string falls back to English while a translation is under
//! way) and its code and name. The Chinese (Simplified) column is
//! complete, and a test keeps it so: ZooKeeper's names stay as ZooKeeper
//! spells them (zxid, acceptedEpoch, LEADERINFO, DIFF, `srvr`, leader).

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// BCP 47 code (the `lang` attribute).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The language's name in itself (the picker).
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "中文",
        }
    }

    pub fn from_code(code: &str) -> Lang {
        Lang::ALL
            .into_iter()
            .find(|l| l.code() == code)
            .unwrap_or(Lang::En)
    }
}

macro_rules! table {
    ($($key:ident => $en:literal, $zh:literal;)*) => {
        /// A string of the interface.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum T { $($key),* }

        /// `(key, English, Chinese)`, in the order of `T`.
        const ROWS: &[(T, &str, &str)] = &[$((T::$key, $en, $zh)),*];
    };
}

table! {
    Tagline => "ZooKeeper's atomic broadcast, live", "ZooKeeper 原子广播，实时运行";
    Tools => "Scenario and view tools", "场景与视图工具";
    OpenScenario => "Open a scenario…", "打开场景…";
    Presets => "Presets", "预设";
    Museum => "Bug museum", "缺陷博物馆";
    Findings => "ZabLab findings", "ZabLab 的发现";
    NoPresets => "(the scenario list is unavailable: {0})", "（场景列表不可用：{0}）";
    NewEnsemble => "New ensemble…", "新建集群…";
    NewEnsembleTitle => "New ensemble", "新建集群";
    Cancel => "Cancel", "取消";
    EnsembleBadge => "{0} {0|server|servers}", "{0} 台服务器";
    EnsembleBadgeObservers => "{0} {0|server|servers} and {1} {1|observer|observers}", "{0} 台服务器和 {1} 个观察者";
    Voters => "Voters (3–9)", "投票者（3–9）";
    Observers => "Observers (0–42)", "观察者（0–42）";
    Seed => "Seed", "随机种子";
    RandomSeed => "Random", "随机";
    RandomSeedAria => "Draw a fresh seed; it shows here, so the run can be replayed and shared", "抽取一个新的随机种子；它显示在这里，因此这次运行可以重放和分享";
    NoRandomSource => "This browser gave no random number ({0}); the seed stays as it was.", "此浏览器没有给出随机数（{0}）；种子保持不变。";
    LatencyMin => "Link latency min (ms)", "链路延迟下限（毫秒）";
    LatencyMax => "Link latency max (ms)", "链路延迟上限（毫秒）";
    Start => "Start", "开始";
    Import => "Open…", "打开…";
    ImportAria => "Open a scenario file (JSON)", "打开场景文件（JSON）";
    Export => "Export", "导出";
    ExportAria => "Export this session as a scenario file (JSON)", "把本次会话导出为场景文件（JSON）";
    Share => "Share link", "分享链接";
    ShareAria => "Make a link that rebuilds this run, and copy it", "生成一个能重建本次运行的链接，并复制它";
    ShareLink => "Link to this run", "本次运行的链接";
    LinkCopied => "The link is in the address bar (and copied, if the browser allowed it).", "链接已在地址栏中（如果浏览器允许，也已复制）。";
    Branch => "Branch", "分支";
    BranchMain => "Branch {0} (first run)", "分支 {0}（第一次运行）";
    BranchRestart => "Branch {0} (replayed from 0 s)", "分支 {0}（从 0 秒重新运行）";
    BranchFork => "Branch {0} (from {1} at {2})", "分支 {0}（从分支 {1} 的 {2} 分出）";
    Forked => "You acted in the past: branch {0} starts at {1}. The previous branch stays in the branch list.", "你在过去的时刻做了操作：分支 {0} 从 {1} 开始。之前的分支仍保留在分支列表中。";
    Language => "Language", "语言";
    Presenter => "Presenter", "演示模式";
    HelpAria => "Keyboard shortcuts and help", "键盘快捷键与帮助";
    HelpTitle => "Help: the keys and what the pictures mean", "帮助：快捷键与图例";
    KeysTitle => "Keyboard shortcuts", "键盘快捷键";
    HelpIntro => "Click a server to inspect it and act on it. Every action is recorded at the current virtual time, so the whole session can be exported, shared and replayed.", "点击一台服务器可以查看它并对它操作。每个操作都记录在当前的虚拟时间上，所以整个会话可以导出、分享和重放。";
    HelpColors => "Message colours: votes amber, discovery violet, sync cyan and green, PROPOSAL/ACK/COMMIT blue, PING grey, requests orange, clients pink.", "消息颜色：投票为琥珀色，发现阶段为紫色，同步为青色和绿色，PROPOSAL/ACK/COMMIT 为蓝色，PING 为灰色，请求为橙色，客户端为粉色。";
    Close => "Close", "关闭";
    Dismiss => "Dismiss this message", "关闭这条消息";
    KeyPlay => "Play or pause", "播放或暂停";
    KeyStep => "Step one event", "前进一个事件";
    KeyBack => "Step back one event", "后退一个事件";
    KeyBigStep => "Ten events forward / back (also on the focused timeline, where Home and End go to the start and the end)", "前进 / 后退十个事件（在获得焦点的时间轴上也一样，Home 和 End 分别跳到开头和结尾）";
    KeyCrashLeader => "Crash the leader", "让 leader 崩溃";
    KeySpeed => "Faster / slower", "加速 / 减速";
    KeyPresenter => "Presenter mode (large type, high contrast)", "演示模式（大字体、高对比度）";
    KeyHelp => "This help", "本帮助";
    KeyEscape => "Close the open dialog, else a message", "关闭打开的对话框，否则关闭消息";
    Footer => "ZabLab · a deterministic simulation of Apache ZooKeeper's ZAB in your browser · works offline", "ZabLab · 在浏览器中确定性地模拟 Apache ZooKeeper 的 ZAB · 可离线使用";
    ClusterView => "Ensemble: servers, links and messages in flight", "集群：服务器、链路和传输中的消息";
    ClusterSummary => "{0} {0|server|servers}; leader: {1}; {2} {2|message|messages} in flight", "{0} 台服务器；leader：{1}；{2} 条消息在传输中";
    NoLeader => "none", "无";
    ServerN => "server {0}", "服务器 {0}";
    ClientN => "client {0}", "客户端 {0}";
    ServerAria => "Server {0}: {1}, {2}, acceptedEpoch {3}, currentEpoch {4}, last zxid {5}. Select to inspect.", "服务器 {0}：{1}，{2}，acceptedEpoch {3}，currentEpoch {4}，最后的 zxid {5}。选中以查看。";
    Leader => "LEADER", "LEADER";
    EpochN => "epoch {0}", "epoch {0}";
    EpochsShort => "e {0}/{1} · {2}", "e {0}/{1} · {2}";
    Waiting => "{0} waiting", "{0} 个等待中";
    SlowDiskMark => "slow disk: fsync {0} ms", "慢磁盘：fsync {0} 毫秒";
    DropMark => "✂ next {0}→{1} dropped", "✂ 下一条 {0}→{1} 将被丢弃";
    VoteDetail => " · {0} votes for {1}, zxid {2}, round {3}, peerEpoch {4}", " · {0} 投票给 {1}，zxid {2}，轮次 {3}，peerEpoch {4}";
    SentDelivered => " · sent {0}, arrives {1}", " · {0} 发出，{1} 到达";
    HeldAtCut => "held at a cut (TCP retransmits until it heals)", "卡在断开处（TCP 会一直重传，直到网络恢复）";
    HeldPaused => " · held: the receiver is paused", " · 暂存：接收方处于暂停状态";
    LostGone => " · lost: the receiver died or the connection closed", " · 丢失：接收方已宕机或连接已关闭";
    // The cluster view's votes, deadlines and labels (words.rs, captions.rs).
    // The name holds "1 FOLLOWING" as the circle shows it (label in
    // name): axe drops ASCII punctuation but not "：", so none in Chinese.
    ServerLabel => "Server {0}: {1}. Select to inspect.", "服务器 {0} {1}。选中以查看。";
    VoteHead => "vote → {0}", "投票 → {0}";
    VoteShort => "vote", "投票";
    VoteBallot => "e{0} · {1} · r{2}", "e{0} · {1} · 第 {2} 轮";
    VoteWords => "votes for {0} with peerEpoch {1}, zxid {2}, in round {3}", "投票给 {0}，peerEpoch {1}，zxid {2}，第 {3} 轮";
    VoteAgree => "{0} agree · quorum {1}", "{0} 票一致 · 法定人数 {1}";
    VoteWas => "was → {0}: {1}", "原为 → {0}：{1}";
    VoteChanged => "changed its vote at {0} from {1}: {2}", "于 {0} 改投，原为 {1}：{2}";
    ReasonHigherEpoch => "higher epoch", "epoch 更高";
    ReasonHigherZxid => "higher zxid", "zxid 更大";
    ReasonHigherSid => "higher sid", "sid 更大";
    ReasonNewerRound => "newer round from {0}", "来自 {0} 的更新轮次";
    ReasonNewElection => "new election", "新一轮选举";
    ReasonJoinedLeader => "joins the leader a quorum follows", "加入法定人数已追随的 leader";
    ReasonEpochUpdated => "epoch of the new leader", "新 leader 的 epoch";
    ReasonFrom => " (notification from {0})", "（来自 {0} 的通知）";
    ReasonOrder => "FastLeaderElection.totalOrderPredicate compares peerEpoch, then zxid, then sid", "FastLeaderElection.totalOrderPredicate 依次比较 peerEpoch、zxid、sid";
    DlResend => "resend in {0}", "{0} 后重发";
    DlFinalize => "finalize in {0}", "{0} 后确定";
    DlObserverDelay => "looks in {0}", "{0} 后开始选举";
    DlConnectRetry => "retry connect in {0}", "{0} 后重试连接";
    DlInitLimit => "initLimit {0} / {1}", "initLimit 已过 {0} / {1}";
    DlSyncLimit => "leader silent {0} / {1}", "leader 静默 {0} / {1}";
    DlLeaderWait => "quorum wait {0} / {1}", "等待法定人数 {0} / {1}";
    DlTickCheck => "tick check in {0}", "{0} 后 tick 检查";
    DlSyncedQuorum => "quorum synced for {0}", "法定人数同步还剩 {0}";
    DlSession => "session {0} expires in {1}", "会话 {0} 将在 {1} 后过期";
    DlResume => "resumes in {0}", "{0} 后恢复";
    DlHandler => "learner {0} silent {1} / {2}", "learner {0} 静默 {1} / {2}";
    DlResendTitle => "FastLeaderElection: if no notification arrives within notTimeout ({0}), the server sends its vote again and doubles notTimeout (200 ms up to 60 s)", "FastLeaderElection：若在 notTimeout（{0}）内没有收到通知，服务器重发选票并将 notTimeout 加倍（200 毫秒直到 60 秒）";
    DlFinalizeTitle => "finalizeWait (200 ms): a quorum agrees with this vote; unless a better vote arrives first, it wins", "finalizeWait（200 毫秒）：法定人数已同意这张选票；除非先收到更好的选票，否则它胜出";
    DlObserverDelayTitle => "observer.election.DelayMs: an observer waits before it looks for the leader", "observer.election.DelayMs：observer 在寻找 leader 之前先等待";
    DlConnectRetryTitle => "Learner.connectToLeader: {0} tries so far; the next in 100 ms while initLimit lasts", "Learner.connectToLeader：已尝试 {0} 次；在 initLimit 内 100 毫秒后再试";
    DlInitLimitTitle => "initLimit × tickTime ({0}): a learner must connect and sync within it, or it gives up and looks for a leader again", "initLimit × tickTime（{0}）：learner 必须在此时间内连接并完成同步，否则放弃并重新选举";
    DlSyncLimitTitle => "syncLimit × tickTime ({0}) since the last packet from the leader: then the follower's read times out and it looks for a new leader", "自收到 leader 最后一个包起 syncLimit × tickTime（{0}）：届时 follower 读超时并重新寻找 leader";
    DlLeaderWaitTitle => "{0}: the leader waits initLimit × tickTime ({1}) for a quorum, or it gives up", "{0}：leader 等待法定人数 initLimit × tickTime（{1}），否则放弃";
    DlTickCheckTitle => "Leader.lead: once per tick ({0}) the leader checks that a quorum is synced (heard within syncLimit ticks)", "Leader.lead：每个 tick（{0}）leader 检查是否有法定人数保持同步（在 syncLimit 个 tick 内有消息）";
    DlSyncedQuorumTitle => "{0} learners synced now; if none is heard again, the tick check at {1} finds no quorum and the leader steps down", "当前有 {0} 个 learner 保持同步；若之后再无消息，{1} 的 tick 检查将发现不足法定人数，leader 下台";
    DlSessionTitle => "SessionTrackerImpl: session {0} (timeout {1}) expires unless its client is heard from", "SessionTrackerImpl：会话 {0}（超时 {1}）若收不到客户端消息将过期";
    DlResumeTitle => "A GC pause: the process handles nothing until {0}; its peers' timers keep running", "GC 暂停：进程在 {0} 之前不处理任何事情；其他服务器的计时器照常运行";
    DlHandlerTitle => "LearnerHandler: the leader closes learner {0}'s connection if nothing arrives by {1}", "LearnerHandler：若到 {1} 仍未收到消息，leader 关闭 learner {0} 的连接";
    HeldBadge => "{0} ×{1} held", "{0} ×{1} 被阻塞";
    HeldMixed => "{0} {0|packet|packets} held", "{0} 个包被阻塞";
    HeldTitle => "Held at a cut from {0} to {1} (TCP retransmits until it heals): {2}", "从 {0} 到 {1} 卡在断开处（TCP 会一直重传，直到网络恢复）：{2}";
    Transport => "Playback", "播放控制";
    Play => "Play", "播放";
    Pause => "Pause", "暂停";
    StepAria => "Step one event", "前进一个事件";
    StepBackAria => "Step back one event", "后退一个事件";
    Speed => "Speed", "速度";
    CrashLeader => "Crash leader", "让 leader 崩溃";
    CrashLeaderAria => "Crash the established leader (kill -9)", "让已确立的 leader 崩溃（kill -9）";
    Live => "live", "实时";
    Replay => "replay (computed up to {0})", "回放（已计算到 {0}）";
    Computing => "computing up to {0}…", "正在计算到 {0}…";
    Replaying => "replaying up to {0}…", "正在重放到 {0}…";
    Lagging => "the simulation cannot keep up with this speed", "模拟跟不上这个速度";
    Status => "t = {0} · {1} {1|event|events} · trace {2}", "t = {0} · {1} 个事件 · 轨迹 {2}";
    Timeline => "Timeline", "时间轴";
    LeaderMark => "leader {0} established, epoch {1}", "leader {0} 已确立，epoch {1}";
    SyncMark => "server {0} synced by {1} from leader {2}", "服务器 {0} 通过 {1} 从 leader {2} 完成同步";
    ElectionMark => "server {0} goes LOOKING (election)", "服务器 {0} 进入 LOOKING（选举）";
    ActionMark => "{0} {1}", "{0} {1}";
    ViolationMark => "violation: {0}: {1}", "违反：{0}：{1}";
    SpaceTime => "Space-time diagram", "时空图";
    SpaceTimeAria => "Space-time diagram of the last {0}: one lane per server, arrows are messages", "最近 {0} 的时空图：每台服务器一条泳道，箭头是消息";
    Window => "Window", "时间窗口";
    MemoryHigh => "The page's memory reached {0} MB of the 4,096 MB a browser tab gives it, so the run is paused: playing on could crash the tab. {1}", "页面内存已达 {0} MB（浏览器标签页最多 4,096 MB），所以运行已暂停：继续播放可能使标签页崩溃。{1}";
    MemoryNoPurge => "This run keeps every txn log and snapshot, as ZooKeeper does with autopurge off (autopurge.purgeInterval = 0, its default): open a scenario with autopurge on, or a new ensemble, to go on.", "这次运行保留所有事务日志和快照，就像 ZooKeeper 关闭 autopurge（autopurge.purgeInterval = 0，默认值）时那样：要继续，请打开开启 autopurge 的场景或新建集群。";
    MemoryLong => "A long busy run keeps its txn logs between purges and its time travel: open a new run to free it.", "长时间的繁忙运行会保留两次清理之间的事务日志和时间旅行记录：打开新的运行即可释放。";
    MemoryHighShort => "Paused: memory is at {0} of a tab's 4,096 MB; playing on could crash it. {1}", "已暂停：页面内存达 {0} MB（标签页最多 4,096 MB），继续播放可能使其崩溃。{1}";
    MemoryNoPurgeShort => "Autopurge is off: open a scenario with it on, or a new ensemble.", "autopurge 已关闭：请打开开启它的场景或新建集群。";
    MemoryLongShort => "A new run frees it.", "新的运行会释放它。";
    Omitted => "{0} older {0|message|messages} in this window {0|is|are} not drawn (the newest {1} are): zoom in to see them all", "此时间窗口中有 {0} 条较早的消息没有画出（只画了最新的 {1} 条）：放大可以看到全部";
    ExportSvg => "Export SVG", "导出 SVG";
    ExportSvgAria => "Export SVG: the space-time diagram as a file", "导出 SVG：把时空图存为文件";
    Legend => "Lane colours", "泳道颜色";
    Panels => "Panels", "面板";
    TabServer => "Server", "服务器";
    TabNetwork => "Network", "网络";
    TabClients => "Clients", "客户端";
    TabLog => "Log", "日志";
    TabInvariants => "Invariants", "不变式";
    SelectServerHint => "Click a server in the ensemble to inspect it and to crash, restart, pause or slow it.", "点击集群中的服务器以查看它，并让它崩溃、重启、暂停或变慢。";
    Participant => "participant", "参与者";
    Observer => "observer", "观察者";
    ServerTitle => "Server {0} ({1})", "服务器 {0}（{1}）";
    Crash => "Crash", "崩溃";
    CrashAria => "Crash server {0} (kill -9: what reached the OS survives)", "让服务器 {0} 崩溃（kill -9：已交给操作系统的数据保留）";
    PowerOff => "Power off", "断电";
    PowerOffAria => "Power off server {0}: what it has not fsynced is lost", "让服务器 {0} 断电：未 fsync 的数据丢失";
    Restart => "Restart", "重启";
    RestartAria => "Restart server {0}", "重启服务器 {0}";
    PauseFor => "Pause (GC stall)", "暂停（GC 停顿）";
    PauseAria => "Pause (GC stall): server {0} for {1} s", "暂停（GC 停顿）：服务器 {0}，{1} 秒";
    PauseSeconds => "Pause length in seconds", "暂停时长（秒）";
    Seconds => "s", "秒";
    SlowDisk => "Slow disk", "慢磁盘";
    SlowDiskAria => "Slow disk: server {0}'s fsync takes {1} ms", "慢磁盘：服务器 {0} 的 fsync 需要 {1} 毫秒";
    FsyncMs => "fsync time in ms", "fsync 时间（毫秒）";
    Ms => "ms", "毫秒";
    State => "State", "状态";
    ZabStateLabel => "ZabState", "ZabState";
    PeerState => "Peer state", "节点状态";
    Serving => "Serving clients", "服务客户端";
    Yes => "yes", "是";
    No => "no", "否";
    AcceptedEpoch => "acceptedEpoch", "acceptedEpoch";
    CurrentEpoch => "currentEpoch", "currentEpoch";
    LastZxid => "lastProcessedZxid", "lastProcessedZxid";
    Zxid => "zxid", "zxid";
    TxnLog => "Txn log", "事务日志";
    LogFlushed => "{0} logged, {1} fsynced", "已记录 {0} 条，已 fsync {1} 条";
    Snapshot => "Snapshot", "快照";
    PausedUntil => "Paused until", "暂停到";
    TxnLogTitle => "Txn log ({0}, newest last)", "事务日志（{0} 条，最新的在最后）";
    Empty => "empty", "空";
    Operation => "operation", "操作";
    Applied => "applied", "已应用";
    AppliedTitle => "applied to the data tree (committed on this server)", "已应用到数据树（在这台服务器上已提交）";
    Durable => "fsynced", "已 fsync";
    DurableTitle => "on disk (fsynced)", "已写入磁盘（fsync）";
    EphemeralCreate => "create {0} (ephemeral)", "create {0}（临时节点）";
    CloseSessionDeletes => "closeSession (deletes {0} ephemeral)", "closeSession（删除 {0} 个临时节点）";
    DataTree => "Data tree ({0} {0|znode|znodes})", "数据树（{0} 个 znode）";
    Owner => " · owner {0}", " · 所有者 {0}";
    Sessions => "Sessions ({0} global, {1} {1|connection|connections} here)", "会话（全局 {0} 个，本机连接 {1} 个）";
    SessionItem => "{0} · timeout {1} ms", "{0} · 超时 {1} 毫秒";
    Connection => "client {0} · session {1} · last zxid {2}", "客户端 {0} · 会话 {1} · 最后的 zxid {2}";
    FourLwConsole => "Four-letter words", "四字命令";
    FourLwAria => "Four-letter word for server {0} (srvr, mntr, stat, conf, …)", "发给服务器 {0} 的四字命令（srvr、mntr、stat、conf、…）";
    FourLwHint => "Reading a four-letter word changes nothing in the run.", "读取四字命令不会改变运行中的任何东西。";
    Send => "Send", "发送";
    NoAnswerPaused => "(no answer: the process is paused)", "（没有回答：进程处于暂停状态）";
    NoAnswerClosed => "(no answer: the server closed the connection without a byte, as ZooKeeper does for a word it does not know: it takes the four bytes for a packet length that is too large)", "（没有回答：服务器一个字节也不回就关闭了连接；ZooKeeper 对不认识的命令就是这样：它把这四个字节当作包长度，发现太大）";
    NotServingPaused => "No: the process is paused", "否：进程处于暂停状态";
    Partition => "Partition", "网络分区";
    PartitionHint => "Put servers in groups A, B, C: nothing crosses between groups until you heal.", "把服务器分到 A、B、C 组：在恢复网络之前，组与组之间什么都传不过去。";
    GroupOf => "Group of server {0}", "服务器 {0} 所在的组";
    ApplyPartition => "Partition into these groups", "按这些组分区";
    Heal => "Heal", "恢复网络";
    HealAria => "Heal every partition and cut", "恢复所有分区和断开的链路";
    PartitionNeedsTwo => "A partition needs servers in at least two groups.", "分区至少需要两组里都有服务器。";
    OneLink => "One link", "单条链路";
    From => "From", "从";
    To => "To", "到";
    CutOneWay => "Cut one way", "单向切断";
    CutAria => "Cut one way: the link from server {0} to server {1}", "单向切断：从服务器 {0} 到服务器 {1} 的链路";
    DropNext => "Drop next message", "丢弃下一条消息";
    DropAria => "Drop next message from server {0} to server {1}", "丢弃下一条消息：从服务器 {0} 到服务器 {1}";
    SlowLink => "Slow link", "慢链路";
    SlowLinkAria => "Slow link from server {0} to server {1}: {2} ms", "慢链路：从服务器 {0} 到服务器 {1}，{2} 毫秒";
    LatencyMs => "Latency in ms", "延迟（毫秒）";
    LinkNeedsTwo => "Pick two different servers for a link.", "请为链路选择两台不同的服务器。";
    NetworkNow => "Network now", "当前网络";
    NetworkHealthy => "Every link works.", "所有链路都正常。";
    CutItem => "{0} → {1}: cut", "{0} → {1}：已切断";
    SlowItem => "{0} → {1}: {2} ms", "{0} → {1}：{2} 毫秒";
    DropItem => "{0} → {1}: the next message will be dropped", "{0} → {1}：下一条消息将被丢弃";
    ConnectClient => "Connect a client", "连接一个客户端";
    ClientName => "Client", "客户端";
    ToServer => "Server", "服务器";
    Connect => "Connect", "连接";
    ConnectAria => "Connect client {0} to server {1}", "把客户端 {0} 连接到服务器 {1}";
    ClientNameNeeded => "Give the client a name.", "请给客户端起个名字。";
    WritesPerClick => "Writes per click", "每次点击的写入数";
    ReadPath => "Path", "路径";
    BadPath => "\"{0}\" is not a znode path (it starts with /).", "“{0}”不是 znode 路径（路径以 / 开头）。";
    NoClients => "No clients yet.", "还没有客户端。";
    Server => "Server", "服务器";
    Session => "Session", "会话";
    Pending => "Pending", "待处理";
    Write => "Write", "写";
    WriteAria => "Client {0} writes {1} {1|znode|znodes}", "客户端 {0} 写入 {1} 个 znode";
    Read => "Read", "读";
    ReadAria => "Client {0} reads {1}", "客户端 {0} 读取 {1}";
    CloseSession => "Close", "关闭";
    CloseAria => "Client {0} closes its session", "客户端 {0} 关闭它的会话";
    RecentWrites => "Recent writes", "最近的写";
    LogServer => "Show the log of", "显示哪台的日志";
    LogLevel => "Lowest level shown", "显示的最低级别";
    Level => "Level", "级别";
    All => "all", "全部";
    LogLineTitle => "Go to this moment", "跳到这个时刻";
    InvariantsHint => "Checked after every event. A violation pauses the run and jumps to it.", "每个事件之后都会检查。一旦违反，运行会暂停并跳到那里。";
    Holds => "holds", "成立";
    ViolatedAt => "violated at {0}", "在 {0} 被违反";
    ViolatedLater => "violated later, at {0}", "稍后在 {0} 被违反";
    Jump => "Go", "跳转";
    JumpAria => "Go to the violation of {0}", "跳到 {0} 被违反的地方";
    Violations => "Violations", "违反";
    ViolationWho => "servers {0} · zxids {1}", "服务器 {0} · zxid {1}";
    ActionErrors => "Refused actions and process exits", "被拒绝的操作和进程退出";
    ViolationOnTheWay => "{0} was violated on the way, at {1}: see the Invariants tab (Go shows that event).", "{0} 在途中的 {1} 被违反了：见“不变式”标签页（“跳转”会显示那个事件）。";
    ViolationFound => "{0} violated at {1}: the run is paused at the event that broke it.", "{0} 在 {1} 被违反：运行已暂停在破坏它的那个事件上。";
    Loaded => "Opened “{0}”.", "已打开“{0}”。";
    BadLink => "This share link is broken ({0}). The current run was kept.", "这个分享链接已损坏（{0}）。当前运行保持不变。";
    BadFile => "This file is not a scenario ZabLab can run: {0}. The current run was kept.", "这个文件不是 ZabLab 能运行的场景：{0}。当前运行保持不变。";
    BadScenario => "The scenario could not be opened: {0}. The current run was kept.", "无法打开这个场景：{0}。当前运行保持不变。";
    ErrUnknownServer => "Server {0} is not in the ensemble.", "服务器 {0} 不在集群中。";
    ErrAlreadyUp => "Server {0} is already running.", "服务器 {0} 已经在运行。";
    ErrAlreadyDown => "Server {0} is down.", "服务器 {0} 已经宕机。";
    ErrNoLeader => "There is no established leader at {0}.", "在 {0} 没有已确立的 leader。";
    ErrNoServing => "No server is serving clients at {0}.", "在 {0} 没有服务器在服务客户端。";
    ErrUnknownClient => "Client “{0}” does not exist (connect it first).", "客户端“{0}”不存在（请先连接它）。";
    ErrClientExists => "Client “{0}” is already connected.", "客户端“{0}”已经连接了。";
    ErrClientGone => "Client “{0}” has no session any more ({1}).", "客户端“{0}”已经没有会话了（{1}）。";
    ErrAlreadyPaused => "Server {0} is already paused.", "服务器 {0} 已经处于暂停状态。";
    ErrNotSimulated => "The action “{0}” is not simulated by this build yet.", "这个版本还没有模拟“{0}”这个操作。";
    ErrUnknownWord => "“{0}” is not a four-letter word ZooKeeper knows.", "“{0}”不是 ZooKeeper 认识的四字命令。";
    ErrRecipeRunning => "Client “{0}” already runs a recipe on {1}.", "客户端“{0}”已经在 {1} 上运行一个 recipe。";
    TabDiagnosis => "Diagnosis", "诊断";
    DiagHint => "The operator's questions, answered at {0} (this follows the timeline): one card per cause, the root cause first, what it led to folded under it. Click a finding to mark its servers and links in the ensemble.", "运维问题在 {0} 的答案（随时间轴变化）：每个原因一张卡片，根本原因在前，它引起的后果折叠在下面。点击一条发现，在集群中标出它涉及的服务器和链路。";
    DiagHintShort => "Answered at {0}; click a finding to mark it in the ensemble.", "{0} 时的答案；点击一条发现，在集群中标出它。";
    DiagNothing => "Nothing to report: a leader, every server in sync, no stall.", "没有问题：有 leader，所有服务器已同步，没有停顿。";
    SevCritical => "critical", "严重";
    SevWarning => "warning", "警告";
    SevInfo => "info", "信息";
    Ensemble => "ensemble", "集群";
    Now => "now", "当前";
    FindingAria => "Mark the servers and links of finding {0} ({1}, {2}) in the cluster view", "在集群视图中标出发现 {0}（{1}，{2}）涉及的服务器和链路";
    WhatToDo => "What to do", "怎么处理";
    ConsequenceOne => "{0} consequence", "{0} 个后果";
    ConsequencesN => "{0} consequences", "{0} 个后果";
    EvidenceSettings => "Evidence ({0}) and settings to look at ({1})", "证据（{0}）和要检查的配置（{1}）";
    Load => "Load", "负载";
    Outstanding => "Outstanding requests", "未完成请求";
    LatencyMinAvgMax => "Latency min/avg/max", "延迟 最小/平均/最大";
    Packets => "Packets received / sent", "收到 / 发送的包";
    Connections => "Client connections", "客户端连接";
    ProposalsOutstanding => "Proposals waiting for a quorum", "等待法定人数的提议";
    Learner => "Learner", "Learner";
    QueuedPackets => "Packets queued to it", "排队等待发送的包";
    ClientSidesHint => "Clients on a side reach only that group's servers; “any” reaches every server.", "在某一侧的客户端只能连到该组的服务器；“任意”可连到所有服务器。";
    SideOf => "Side of client {0}", "客户端 {0} 所在的一侧";
    AnySide => "any", "任意";
    ClientCutItem => "client {0} cannot reach server(s) {1}", "客户端 {0} 无法连到服务器 {1}";
    ClientSideEmpty => "Client “{0}” is on side {1}, which has no server.", "客户端“{0}”在 {1} 侧，但那一侧没有服务器。";
    Operations => "Operations", "操作";
    OpClient => "The client these operations use", "这些操作使用的客户端";
    ReadOp => "Read call", "读调用";
    ReadWatch => "Read + watch", "读并设置 watch";
    ReadWatchAria => "Client {0} reads ({1}) {2} and leaves a watch", "客户端 {0} 读取（{1}）{2} 并设置 watch";
    SyncOp => "Sync", "Sync";
    SyncAria => "Client {0} calls sync on {1}", "客户端 {0} 对 {1} 调用 sync";
    CreateSeq => "Create sequential", "创建顺序节点";
    CreateSeqAria => "Client {0} creates {1} sequential {1|znode|znodes} {2}…", "客户端 {0} 创建 {1} 个顺序节点 {2}…";
    MultiOp => "Multi: create + check", "Multi：创建 + 检查";
    MultiAria => "Client {0} runs a multi: create {1} if {2} is at version {3}", "客户端 {0} 执行 multi：若 {2} 的版本为 {3}，则创建 {1}";
    CheckPath => "check", "检查";
    CheckVersion => "version", "版本";
    OpsHint => "Path is what read, sync, sequential create and the multi's create act on. A multi commits all its ops or none.", "“路径”用于读、sync、顺序创建以及 multi 的创建。multi 的操作要么全部提交，要么都不提交。";
    LoadWrites => "writes/s", "写/秒";
    LoadReads => "reads/s", "读/秒";
    LoadFor => "for (s)", "持续（秒）";
    StartLoad => "Load", "施加负载";
    StartLoadAria => "Client {0} sends {1} setData and {2} getData requests per second for {3} s", "客户端 {0} 每秒发送 {1} 个 setData 和 {2} 个 getData 请求，持续 {3} 秒";
    LoadNeedsRate => "A load needs writes or reads per second.", "负载需要每秒的写或读请求数。";
    Recipes => "Recipes", "Recipe（常用模式）";
    Recipe => "Recipe", "Recipe 类型";
    RecipePath => "on", "路径";
    HoldMs => "hold (ms)", "持有（毫秒）";
    Repeat => "take it again", "再次获取";
    BarrierSize => "size", "人数";
    RunRecipe => "Run", "运行";
    RunRecipeAria => "Client {0} runs the {1} recipe on {2}", "客户端 {0} 在 {2} 上运行 {1} recipe";
    HolderTitle => "believes it holds the lock (or leads)", "认为自己持有锁（或是 leader）";
    WatchItem => "{0} {1} ← {2} {3} (zxid {4}, server {5})", "{0} {1} ← {2} {3}（zxid {4}，服务器 {5}）";
    WatchesFired => "Watches fired", "已触发的 watch";
    RecentReads => "Recent reads", "最近的读";
    HazardsTitle => "hazards: ZooKeeper behaviour an application must know", "风险：应用必须了解的 ZooKeeper 行为";
    Hazards => "Hazards (ZooKeeper behaviour, not bugs)", "风险（ZooKeeper 的行为，不是缺陷）";
    HazardsHint => "ZooKeeper's guarantees hold; these are traps for the application built on it. They do not pause the run.", "ZooKeeper 的保证仍然成立；这些是基于它构建的应用的陷阱。它们不会暂停运行。";
    HazardLockExplained => "The lock holder was cut off longer than its session timeout: the ensemble expired its session and the next waiter took the lock, but the old holder cannot know until it reconnects. Real systems fence the protected resource (for example with the lock node's zxid as a token).", "持有锁的客户端被隔离的时间超过了会话超时：集群让它的会话过期，下一个等待者拿到了锁，但旧的持有者在重连之前无法知道。真实系统会对受保护的资源加 fencing（例如用锁节点的 zxid 作为令牌）。";
    HazardSyncExplained => "sync then read was answered by a leader that had been deposed and had not noticed yet: the read missed a write the new leader had committed. sync is not a quorum round (Jepsen's finding); a linearizable read needs a write.", "sync 之后的读由一个已被取代但尚未察觉的 leader 回答：这次读没有看到新 leader 已提交的写。sync 不是一轮法定人数确认（Jepsen 的发现）；线性一致的读需要一次写。";
    HazardJumpAria => "Go to hazard {0} at {1}", "跳到 {1} 的风险 {0}";
    HazardMark => "hazard: {0}: {1}", "风险：{0}：{1}";
    HazardFound => "Hazard {0} at {1}: ZooKeeper allows it, but an application must know (see the Invariants tab).", "{1} 出现风险 {0}：ZooKeeper 允许这种情况，但应用必须了解（见“不变式”标签页）。";
    Course => "Course", "课程";
    CourseAria => "Open the course: lessons that walk through ZAB with questions the simulation answers", "打开课程：一步步讲解 ZAB，问题由模拟来回答";
    CourseTitle => "Course: ZooKeeper's atomic broadcast, step by step", "课程：一步步看懂 ZooKeeper 的原子广播";
    CourseIntro => "Each lesson runs the real simulation: pick an answer, then watch the run decide. A lesson can be shared at any step (Share link).", "每一课都运行真实的模拟：先选一个答案，再看运行结果来判定。任何一步都可以分享（分享链接）。";
    CourseLoading => "Reading the lessons…", "正在读取课程…";
    CourseEmpty => "No lessons in this build yet.", "这个版本还没有课程。";
    CourseUnreadable => "The course could not be loaded: {0}", "无法加载课程：{0}";
    CourseMuseum => "Bug museum lessons", "缺陷博物馆课程";
    CourseBroken => "Lesson files that could not be read", "无法读取的课程文件";
    Minutes => "{0} min", "{0} 分钟";
    Lesson => "Lesson", "课程";
    LessonDone => "done", "已完成";
    LessonOutline => "Steps of this lesson", "本课的步骤";
    LessonGotoAria => "Back to the start of step {0}", "回到第 {0} 步的开始";
    LessonRunning => "The simulation runs to {0}…", "模拟正在运行到 {0}…";
    LessonPausedRun => "Paused on the way to {0}: Next goes there.", "在运行到 {0} 的途中暂停了：点“下一步”直接到那里。";
    LessonTry => "Try it yourself", "动手试一试";
    LessonSkip => "Skip (do it for me)", "跳过（替我操作）";
    LessonSkipAria => "Skip: apply the lesson's default actions now", "跳过：现在执行本课的默认操作";
    LessonActed => "You acted: the lesson goes on from your run.", "你已经操作了：课程将从你的运行继续。";
    LessonReveal => "Reveal", "揭晓";
    LessonNextStep => "Next step", "下一步";
    LessonSkipAhead => "Go to {0}", "直接到 {0}";
    LessonNextLesson => "Next lesson: {0}", "下一课：{0}";
    LessonBackToCourse => "Back to the course", "返回课程目录";
    LessonBack => "Back", "上一步";
    LessonBackAria => "Back to the previous step's start", "回到上一步的开始";
    LessonRewind => "Rewind", "重来";
    LessonRewindAria => "Rewind this step to its start (R)", "把这一步倒回到开始（R）";
    LessonClose => "Close lesson", "退出本课";
    LessonExitPresenter => "Exit presenter (P)", "退出演示模式（P）";
    LessonChoices => "Choices", "选项";
    LessonChoiceCorrect => "the simulation's answer", "模拟的答案";
    LessonChoiceWrong => "your pick, not the simulation's answer", "你的选择，不是模拟的答案";
    LessonPageOf => "page {0} of {1}", "第 {0} 页，共 {1} 页";
    LessonMore => "More ▸", "继续 ▸";
    LessonPrevPage => "◂ Previous page", "◂ 上一页";
    LessonNav => "Lesson steps", "课程步骤";
    LessonRight => "Right: the simulation says {0}.", "答对了：模拟的结果是 {0}。";
    LessonSimSays => "The simulation says {0}.", "模拟的结果是 {0}。";
    LessonOffChoices => "The simulation answers “{0}”, which is none of the choices.", "模拟的回答是“{0}”，不在选项之中。";
    LessonDiffers => "Your run differs from the lesson's: the explanation describes “{0}”.", "你的运行和课程设定的不同：下面的解释说的是“{0}”的情况。";
    LessonEvidence => "Log lines containing “{0}”:", "包含“{0}”的日志行：";
    LogRolled => "Lines before {0} have rolled away: the log keeps the newest {1} {1|line|lines}, as ZooKeeper's log4j rolling file keeps only its newest files.", "{0} 之前的日志行已滚动清除：日志只保留最新的 {1} 行，就像 ZooKeeper 的 log4j 滚动文件只保留最新的几个文件。";
    LessonLogFilter => "Only the lines containing “{0}” (the lesson's highlight).", "只显示包含“{0}”的日志行（课程的高亮）。";
    RealLogTitle => "Beside a real ZooKeeper ensemble: {0} of {1} {1|line|lines} so far", "对照真实的 ZooKeeper 集群：目前 {1} 行中已出现 {0} 行";
    RealLogReal => "real", "真实";
    RealLogSim => "ZabLab", "ZabLab（模拟）";
    RealLogNotYet => "not logged in this run (yet)", "本次运行中（尚）未出现";
    RealLogUnmodelled => "not modelled: {0}", "未建模：{0}";
    LessonLinkBadStep => "This lesson link's step “{0}” is not a step number (1, 2, …).", "这个课程链接的步骤“{0}”不是步骤编号（1、2、…）。";
    LessonLinkBadId => "This lesson link does not name a lesson.", "这个课程链接没有指明课程。";
    KeyLessonNext => "Lesson in presenter mode: next step, reveal, skip", "演示模式下的课程：下一步、揭晓、跳过";
    KeyLessonSteps => "Lesson in presenter mode: previous step / next", "演示模式下的课程：上一步 / 下一步";
    KeyLessonRewind => "Lesson in presenter mode: rewind the step", "演示模式下的课程：把这一步倒回开始";
    KeyLessonPick => "Lesson in presenter mode: pick choice 1–9", "演示模式下的课程：选第 1–9 个选项";
    LessonStepOf => "Step {0} of {1}", "第 {0} 步，共 {1} 步";
    CourseUnavailable => "The course could not be loaded ({0}), so this lesson link cannot open.", "无法加载课程（{0}），所以打不开这个课程链接。";
    NoSuchLesson => "This link asks for the lesson “{0}”, which is not in this course.", "这个链接要打开的课“{0}”不在本课程中。";
    NoSuchStep => "Lesson “{0}” has no step {1} (it has {2}): it opened at its last step.", "课“{0}”没有第 {1} 步（共 {2} 步）：已打开它的最后一步。";
    WelcomeTitle => "Welcome to ZabLab", "欢迎来到 ZabLab";
    WelcomeBody => "Three ZooKeeper servers have just started and are electing their leader, played {0} times slower than real time: the amber dots are their votes. This is ZooKeeper's protocol (ZAB) running for real in your browser; every crash, partition and pause you try is replayed exactly.", "三台 ZooKeeper 服务器刚刚启动，正在选举它们的 leader，播放速度比真实时间慢 {0} 倍：琥珀色的圆点就是它们的投票。这是 ZooKeeper 的协议（ZAB）在你的浏览器里真实运行；你尝试的每一次崩溃、分区和暂停都能被精确重放。";
    WelcomeCourse => "Start the course", "开始课程";
    WelcomeExplore => "Explore", "自由探索";
    WelcomeHint => "Space plays or pauses; ? shows the keys and what the pictures mean.", "空格键播放或暂停；按 ? 查看快捷键和图例。";
    LegendTitle => "What the pictures mean", "图例：各种图形的含义";
    LegendServers => "Servers: the colour is the state", "服务器：颜色表示状态";
    LegendLooking => "LOOKING: electing a leader", "LOOKING：正在选举 leader";
    LegendFollowing => "FOLLOWING: follows the leader", "FOLLOWING：跟随 leader";
    LegendLeading => "LEADING; a gold ring and “★ LEADER · epoch” once established", "LEADING；确立之后有金色圆环和“★ LEADER · epoch”";
    LegendObserving => "OBSERVING: an observer, it does not vote", "OBSERVING：observer，不参与投票";
    LegendDown => "DOWN, dashed outline: crashed", "DOWN，虚线轮廓：已崩溃";
    LegendPaused => "PAUSED, red dotted outline: a GC stall", "PAUSED，红色点线轮廓：GC 停顿";
    LegendRings => "Rings around a server", "服务器外圈";
    LegendSelected => "blue: the server you selected", "蓝色：你选中的服务器";
    LegendFlagged => "red: involved in a violated invariant", "红色：涉及被违反的不变式";
    LegendDiag => "violet: marked by a diagnosis finding", "紫色：被一条诊断发现标出";
    LegendLessonMark => "orange: what the lesson points at", "橙色：课程指向的对象";
    LegendLabels => "Labels and badges", "标签与标记";
    LegendEpochs => "Inside a server: its id, peer state and ZabState (DISCOVERY, SYNCHRONIZATION, BROADCAST). Under it, “e 1/1 · 0x100000002”: acceptedEpoch/currentEpoch · last zxid.", "服务器内：它的 id、节点状态和 ZabState（DISCOVERY、SYNCHRONIZATION、BROADCAST）。下方的“e 1/1 · 0x100000002”：acceptedEpoch/currentEpoch · 最后的 zxid。";
    LegendBadges => "Badges: “3 waiting” client requests queued on it; “slow disk: fsync 3000 ms”; “✂ next 1→2 dropped”; on the Invariants tab, a red count of violations and an amber count of hazards.", "标记：“3 个等待中”表示在它上面排队的客户端请求；“慢磁盘：fsync 3000 毫秒”；“✂ 下一条 1→2 将被丢弃”；“不变式”标签上，红色数字是违反数，琥珀色数字是风险数。";
    LegendLinks => "Links between servers", "服务器之间的链路";
    LegendLinkPlain => "thin grey: an election connection", "细灰线：选举连接";
    LegendLinkQuorum => "thick dark: a follower's connection to its leader", "粗深色线：follower 与 leader 的连接";
    LegendLinkBroken => "red dashes: broken by a partition", "红色虚线：被分区断开";
    LegendLinkCut => "red short dashes: cut one way", "红色短虚线：单向切断";
    LegendLinkSlow => "orange long dashes: a slow link, with its latency", "橙色长虚线：慢链路，标出延迟";
    LegendLinkDrop => "violet dots: its next message will be dropped", "紫色点线：下一条消息将被丢弃";
    LegendGroup => "shaded area: one side of a partition", "阴影区域：分区的一侧";
    LegendMessages => "Messages in flight: the colour is the kind", "传输中的消息：颜色表示种类";
    LegendMsgVotes => "votes (NOTIFICATION)", "投票（NOTIFICATION）";
    LegendMsgDiscovery => "discovery (FOLLOWERINFO, LEADERINFO, ACKEPOCH)", "发现阶段（FOLLOWERINFO、LEADERINFO、ACKEPOCH）";
    LegendMsgSync => "sync (DIFF, TRUNC, SNAP, NEWLEADER, UPTODATE)", "同步（DIFF、TRUNC、SNAP、NEWLEADER、UPTODATE）";
    LegendMsgBroadcast => "broadcast (PROPOSAL, ACK, COMMIT)", "广播（PROPOSAL、ACK、COMMIT）";
    LegendMsgPing => "PING", "心跳（PING）";
    LegendMsgRequest => "client requests and replies", "客户端请求与回复";
    LegendMsgHeld => "faded with a red outline: held at a cut (TCP retransmits until it heals)", "褪色并带红色轮廓：卡在断开处（TCP 会一直重传，直到恢复）";
    LegendTimeline => "Timeline marks: the shape is the kind", "时间轴标记：形状表示种类";
    MarkElection => "diamond: a server starts an election (LOOKING)", "菱形：某台服务器开始选举（LOOKING）";
    MarkLeader => "triangle: a leader established, in a new epoch", "三角形：确立了一个 leader，进入新的 epoch";
    MarkSync => "circle: a learner synced (DIFF, TRUNC or SNAP)", "圆形：一个 learner 完成同步（DIFF、TRUNC 或 SNAP）";
    MarkFault => "square: a fault (crash, restart, pause, partition, slow link …)", "方形：一次故障（崩溃、重启、暂停、分区、慢链路……）";
    MarkClient => "short bar: a client's action", "短竖条：客户端的操作";
    MarkHazard => "flag: a hazard an application must know", "旗形：应用必须了解的风险";
    MarksMore => "and {0} more here", "此处还有 {0} 个";
    MarkViolation => "cross: an invariant violated (click: go to it)", "叉形：不变式被违反（点击跳到那里）";
    MarkFuture => "faded: scheduled, not computed yet", "褪色：已安排但尚未计算";
    PanicTitle => "ZabLab stopped: an internal error", "ZabLab 停止了：内部错误";
    PanicBody => "Sorry: this is a bug in ZabLab, not in your scenario. Download the session below and attach it to a bug report; reloading the page starts afresh.", "抱歉：这是 ZabLab 的缺陷，不是你的场景的问题。请下载下面的会话并附在缺陷报告里；重新加载页面会从头开始。";
    PanicDownload => "Download the session (scenario JSON)", "下载本次会话（场景 JSON）";
    PanicReload => "Reload ZabLab", "重新加载 ZabLab";
    ImportLogs => "Import logs…", "导入日志…";
    ImportLogsTitle => "Read a real ZooKeeper ensemble's logs, zoo.cfg and saved four-letter words, and see what it did", "读取真实 ZooKeeper 集群的日志、zoo.cfg 和保存的四字命令输出，看看它做了什么";
    ImportTitle => "Import a real ensemble's logs", "导入真实集群的日志";
    ImportPrivacy => "Nothing leaves your browser: the files are read here and never uploaded.", "什么都不会离开你的浏览器：文件就在这里读取，从不上传。";
    ImportDrop => "Drop files here: each server's zookeeper.log (rolled files and .gz too), zoo.cfg or the dynamic config, saved srvr / stat / mntr / conf outputs.", "把文件拖到这里：每台服务器的 zookeeper.log（滚动的文件和 .gz 也可以）、zoo.cfg 或动态配置文件、保存的 srvr / stat / mntr / conf 输出。";
    ImportPick => "Choose files…", "选择文件…";
    ImportPickAria => "Choose the files to import (several at once)", "选择要导入的文件（可一次多个）";
    ImportReading => "Reading {0} of {1} MB…", "正在读取 {0} / {1} MB…";
    ImportProgress => "Read progress", "读取进度";
    ImportAnalysing => "Analysing: {0} of {1} {1|line|lines}…", "正在分析：{0} / {1} 行…";
    ImportRead => "{0} MB read: {1} {1|line|lines} from {2} {2|server|servers}.", "已读取 {0} MB：来自 {2} 台服务器的 {1} 行。";
    ImportFile => "File", "文件";
    ImportKind => "What it is", "内容";
    ImportServer => "Server", "服务器";
    ImportLines => "Lines", "行数";
    ImportKindLog => "server log", "服务器日志";
    ImportKindConfig => "configuration", "配置文件";
    ImportKindFourLw => "four-letter word {0}", "四字命令 {0}";
    ImportKindOther => "not read", "未读取";
    ImportKindData => "ZooKeeper data file ({0}): listed, not read", "ZooKeeper 数据文件（{0}）：只列出，不读取";
    SidMyid => "from [myid:{0}]", "来自 [myid:{0}]";
    SidLogText => "from its own lines", "来自它自己的日志行";
    SidUser => "as you said", "按你的指定";
    SidMyidFile => "from its myid file", "来自它的 myid 文件";
    SidFileName => "from the file name (change it if wrong)", "来自文件名（不对请修改）";
    SidUnknown => "unknown: choose it", "未知：请选择";
    SidAria => "Which server wrote {0}", "{0} 是哪台服务器写的";
    SidNone => "(unknown)", "（未知）";
    ImportUnread => "{0}: the browser could not read it ({1}); the other files are kept.", "{0}：浏览器无法读取它（{1}）；其他文件都保留了。";
    ImportProblems => "What could not be read", "无法读取的内容";
    ProblemBinary => "{0} is a binary file, not a log: left out.", "{0} 是二进制文件，不是日志：已略过。";
    ProblemNotZk => "{0} is not a ZooKeeper log, zoo.cfg or four-letter-word output: left out.", "{0} 不是 ZooKeeper 日志、zoo.cfg 或四字命令输出：已略过。";
    ProblemEncoding => "{0} has bytes that are not UTF-8 (Latin-1?): they were replaced, the lines kept.", "{0} 含有不是 UTF-8 的字节（Latin-1？）：这些字节被替换，行都保留了。";
    ProblemTruncated => "{0} ends in the middle of a line (cut while being written): the lines before it are kept.", "{0} 在一行的中间结束（写入时被截断）：之前的行都保留了。";
    ProblemNoSid => "{0}: which server wrote it is unknown; choose it in the list.", "{0}：不知道是哪台服务器写的；请在列表里选择。";
    ProblemTimeOrder => "{0} has lines out of time order.", "{0} 中有时间顺序错乱的行。";
    ProblemEmpty => "{0} is empty.", "{0} 是空的。";
    ProblemSidConflict => "{0}: its name and its lines name different servers; its lines win.", "{0}：文件名和日志行说的是不同的服务器；以日志行为准。";
    ImportUnknownLines => "{0} {0|line|lines} not understood (counted, not dropped); the first of them:", "{0} 行未能理解（已计数，没有丢弃）；其中最前面的：";
    ImportSkew => "Clock skew, from paired lines", "时钟偏差（由成对的日志行估计）";
    ImportSkewRow => "server {0}: {1} ms against server {2} ({3} {3|pair|pairs} of lines)", "服务器 {0}：相对服务器 {2} 为 {1} ms（{3} 对日志行）";
    ImportShow => "Show the imported run", "显示导入的运行";
    ImportForget => "Forget the import", "清除导入";
    ImportedBadge => "Imported: {0} {0|server|servers}, {1} {1|line|lines}", "导入：{0} 台服务器，{1} 行";
    ImportedHead => "Real ensemble, from its logs · {0} to {1} UTC", "真实集群（来自日志）· {0} 至 {1} UTC";
    BackToSim => "Back to the simulator", "回到模拟器";
    ImportedStatus => "{0} after the first line · {1} UTC · line {2} of {3}", "第一行之后 {0} · {1} UTC · 第 {2} / {3} 行";
    ImportedMode => "imported", "导入";
    KnownNoLine => "no line yet", "还没有日志行";
    KnownNoState => "no state logged yet", "还没有记录状态";
    KnownDown => "not running (crashed or stopped)", "未运行（崩溃或被停止）";
    KnownPaused => "PAUSED (silent while its peers time out on it)", "PAUSED（对端在等它超时时它一直沉默）";
    KnownLeader => "leader {0}", "leader 是 {0}";
    KnownEpoch => "epoch {0}", "epoch 为 {0}";
    KnownLines => "{0} {0|line|lines} so far", "到此为止 {0} 行";
    KnownStarts => "{0} {0|start|starts} of the JVM", "JVM 启动 {0} 次";
    KnownSessions => "sessions: {0} established, {1} expired", "会话：建立 {0} 个，过期 {1} 个";
    KnownFsync => "slow fsyncs: {0}", "慢 fsync：{0} 次";
    KnownLast => "Its last line", "它的最后一行";
    KnownTitle => "Server {0}", "服务器 {0}";
    ReplayRefused => "The replay could not be built: {0}", "无法构建重放：{0}";
    ReplayOpen => "Replay in the simulator…", "在模拟器中重放…";
    ReplayOpenTitle => "Build a scenario from what the logs show and run it in the simulator", "根据日志显示的内容构建场景，并在模拟器中运行";
    ReplayTitle => "Replay the imported run in the simulator", "在模拟器中重放导入的运行";
    ReplayIntro => "What the logs show, as the simulator will play it. Switch off what you doubt, move a time, change a setting.", "日志显示的内容，模拟器将按此重放。可以关掉你怀疑的推断、修改时间或更改设置。";
    ReplayInferences => "Inferred from the logs", "从日志推断";
    ReplayAtAria => "When (ms after the first line)", "时间（第一行之后的毫秒数）";
    ReplayOnAria => "Replay this", "重放这一项";
    ReplayEvidence => "{0} {0|line shows|lines show} it", "{0} 行日志显示了这一点";
    ReplayGo => "Replay", "重放";
    ReplayAgain => "Replay again", "再次重放";
    ReplayBeside => "The real run beside the replay", "真实运行与重放对照";
    ReplayReal => "Real (logs)", "真实（日志）";
    ReplayReplay => "Replay", "重放";
    ReplayNone => "(none)", "（无）";
    ReplayDiffers => "differs", "不同";
    ReplaySame => "{0} of {1} rows agree", "{1} 行中有 {0} 行一致";
    ReplayComputing => "Computing the replay…", "正在计算重放…";
    DiagMore => "Show {0} more ({1} not shown yet)", "再显示 {0} 条（还有 {1} 条未显示）";
    DiagImported => "What the logs show, from the first line to the last; each finding goes to its moment, each cited line to its own.", "日志显示了什么（从第一行到最后一行）；点击发现跳到它的时刻，点击引用的日志行跳到那一行的时刻。";
    InspectorImported => "What the lines say of each server at this moment", "日志行在这一时刻对每台服务器说了什么";
    LogFind => "Containing", "包含";
    LogFindAria => "Show only lines containing this text", "只显示包含这段文字的行";
    ImportedTabHint => "This tab is the simulator's: an imported run has no controls.", "这个标签页属于模拟器：导入的运行没有控制项。";
    KeyImport => "Import logs", "导入日志";
}

/// The app's controls a lesson text may name (`{control:crash}`), by the
/// label the control shows.
pub const CONTROLS: [(&str, T); 18] = [
    ("crash", T::Crash),
    ("restart", T::Restart),
    ("pause", T::PauseFor),
    ("slow-disk", T::SlowDisk),
    ("crash-leader", T::CrashLeader),
    ("partition", T::ApplyPartition),
    ("heal", T::Heal),
    ("cut", T::CutOneWay),
    ("drop", T::DropNext),
    ("slow-link", T::SlowLink),
    ("write", T::Write),
    ("tab-server", T::TabServer),
    ("tab-network", T::TabNetwork),
    ("tab-clients", T::TabClients),
    ("tab-log", T::TabLog),
    ("tab-invariants", T::TabInvariants),
    ("tab-diagnosis", T::TabDiagnosis),
    ("skip", T::LessonSkip),
];

/// A lesson text with each `{control:name}` replaced by that control's
/// label in `lang` (an unknown name stays as written: a test keeps the
/// lessons free of them).
pub fn fill_controls(text: &str, lang: Lang) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("{control:") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + "{control:".len()..];
        let Some(end) = tail.find('}') else {
            out.push_str(&rest[i..]);
            return out;
        };
        match CONTROLS.iter().find(|(n, _)| *n == &tail[..end]) {
            Some((_, key)) => out.push_str(tr(lang, *key)),
            None => out.push_str(&rest[i..i + "{control:".len() + end + 1]),
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The text of `key` in `lang` (English where not translated yet).
pub fn tr(lang: Lang, key: T) -> &'static str {
    let (_, en, zh) = ROWS[key as usize];
    match lang {
        Lang::Zh if !zh.is_empty() => zh,
        _ => en,
    }
}

/// [`tr`] with `{0}`, `{1}`, … replaced by `args`, and each
/// `{i|one|other}` by `one` when argument `i` is "1", else `other`.
pub fn trf(lang: Lang, key: T, args: &[&str]) -> String {
    let mut s = plurals(tr(lang, key), args);
    for (i, a) in args.iter().enumerate() {
        s = s.replace(&format!("{{{i}}}"), a);
    }
    s
}

/// Resolves the `{i|one|other}` forms of `s` (English plurals: one for a
/// count of 1, the other form for every other count; hand-written: the
/// app's two languages need no more of CLDR's rules).
fn plurals(s: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 1..];
        let form = tail.find('}').map(|end| &tail[..end]).and_then(|inner| {
            let mut parts = inner.splitn(3, '|');
            let n: usize = parts.next()?.parse().ok()?;
            let (one, other) = (parts.next()?, parts.next()?);
            Some((
                inner.len(),
                if args.get(n) == Some(&"1") {
                    one
                } else {
                    other
                },
            ))
        });
        match form {
            Some((len, word)) => {
                out.push_str(word);
                rest = &tail[len + 1..];
            }
            None => {
                out.push('{');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
