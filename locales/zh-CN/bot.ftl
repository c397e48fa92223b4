# privatelink-bot，简体中文。机器人在聊天和控制台中说的每一句话。
# 键和占位符必须与 locales/en/bot.ftl 一致（有测试检查）；云服务商的
# 错误信息按原文转述。

## 基础

verbatim = { $text }
list = { $items }
list-separator = ；
# 我们在做的事，然后是服务商的原话（不翻译）。
error-with-cause = { $what }：{ $cause }

## 标识与命令解析

id-invalid = { $value } 不是 { $what }：应为 { $expected }
id-vpc = VPC ID
id-subnet = 子网 ID
id-sg = 安全组 ID
id-vpce = VPC 终端节点 ID
id-expected-ec2 = { $prefix }- 后跟 8 位或 17 位小写十六进制数字
id-project = Zilliz Cloud 项目 ID
id-expected-project = proj- 后跟小写字母和数字
id-cluster = Zilliz Cloud 集群 ID
id-expected-cluster = 形如 in01-3e5ad8adc38c2f1 的 ID
id-aws-region = AWS 区域
id-expected-aws-region = 形如 us-west-2 或 cn-northwest-1 的区域
id-zilliz-region = Zilliz Cloud 的 AWS 区域 ID
id-expected-zilliz-region = aws- 后跟 AWS 区域，例如 aws-us-west-2
id-account = AWS 账号 ID
id-expected-account = 12 位数字，例如 123456789012
id-role = IAM 角色 ARN
id-expected-role = arn:aws:iam::<12 位账号>:role/<名称>（或 arn:aws-cn:…）
id-job = 任务 ID
id-expected-job = PL- 后跟数字，例如 PL-1042
id-user = 用户 ID
id-expected-user = 1 到 64 个 ASCII 字母、数字、'_'、'.'、'-' 或 '@'
id-zone = Route 53 托管区域 ID
id-expected-zone = 最多 32 位大写字母和数字，例如 Z1YSHQZHG15GKL
id-channel = 聊天频道 ID
id-expected-channel = 1 到 80 个字符，不含空格
id-channel-name = 聊天频道名称
id-expected-channel-name = # 加 1 到 100 个字符，不含空格

parse-field-problem = `{ $field }`：{ $problem }
parse-usage = 用法：{ $usage }
parse-no-command = 没有给出命令
parse-no-such-help = 没有可以说明的命令 { $topic }
parse-help-one-topic = help 最多只接受一个命令名
parse-unknown-command = 未知命令 { $command }
parse-job-required = 需要任务 ID
parse-one-job = 请只给出一个任务 ID
parse-bad-filter = { $filter } 不是有效的筛选条件：请使用 mine、pending、running、failed 或 all
parse-one-filter = 最多只能给出一个筛选条件
parse-not-an-argument = { $word } 不是参数：请写成 key=value 或 --key value
parse-unknown-key = 未知的键 { $key }：应为 project、region、vpc、subnets、sg、clusters 或 role
parse-given-twice = 重复给出
parse-required = 为必填项
parse-empty-value = 的值为空
parse-empty-item = 在 { $value } 中有空项
parse-listed-twice = 重复列出了 { $item }
parse-too-many-items = 列出了 { $count } 项；最多 { $max } 项
parse-partition-mismatch = 属于 { $role_partition } 分区，但区域 { $region } 属于 { $region_partition } 分区

## 帮助

help-intro = privatelink-bot 为你的 VPC 建立到 Zilliz Cloud Dedicated 集群的 AWS PrivateLink 私网连接。
help-flags = 参数也可以写成 --key value。
help-create = 先对照 AWS 和 Zilliz Cloud 检查请求，再发布审批卡片。审批通过后，机器人创建 VPC 终端节点，将其注册到项目，并为每个集群建立 Route 53 私有托管区域和别名记录。
help-plan = 执行与 create 相同的检查并展示计划。不保存也不创建任何东西。
help-status = 显示任务的状态、步骤以及它创建的资源。
help-list = 列出任务（默认：我的）。
help-cancel = 撤回待审批的请求，或让运行中的任务在下一步停止。
help-retry = 从失败的步骤重新运行失败的任务。
help-rollback = 按从新到旧的顺序，移除失败或已取消任务所创建的资源。
help-delete = 拆除任务建立的私网连接。
help-help = 显示本帮助，或某个命令的帮助。

## 步骤与状态

step = { $number }/8 { $what }
step-resolve-service = 解析 Zilliz 终端节点服务
step-ensure-endpoint = 确保 VPC 终端节点存在
step-ensure-registration = 将终端节点注册到 Zilliz 项目
step-wait-accepted = 等待终端节点被接受
step-read-addresses = 读取集群的私网连接地址
step-ensure-zones = 确保私有托管区域存在
step-upsert-records = 写入别名记录
step-verify = 验证最终状态

state-pending-approval = 待审批
state-approved = 已批准，排队中
state-running = 正在运行步骤 { $step }
state-succeeded = 已成功
state-failed = 在步骤 { $step } 失败：{ $error }
state-cancelled = 已取消
state-rejected = 已拒绝
state-expired = 审批前已过期
state-rolling-back = 正在回滚
state-deleting = 正在删除
state-rollback-failed = 回滚失败：{ $error }
state-delete-failed = 删除失败：{ $error }
state-rolled-back = 已回滚
state-deleted = 已删除

## 拒绝与策略

refusal-already-decided = { $job } 已经{ $state }；无需操作。
refusal-already-decided-by = { $job } 已由 { $by } 处理（{ $state }）；无需操作。
refusal-expired = { $job } 在有人审批前已过期；请重新提交请求。
refusal-not-due = { $job } 尚未到期。
refusal-nothing-to-cancel = { $job } 当前为{ $state }；没有可取消的内容。
refusal-not-retryable = { $job } 当前为{ $state }；只有失败的任务可以重试。
refusal-teardown-not-retryable = { $job } 的拆除失败；重试会重新创建已移除的资源。请回滚或删除它以完成拆除。
refusal-not-rollbackable = { $job } 当前为{ $state }；只有失败或已取消的任务可以回滚；已完成的连接请使用 delete。
refusal-not-deletable = { $job } 当前为{ $state }；只有成功的任务可以删除；失败的任务请使用 rollback。
refusal-moved = { $job } 在此期间已变为{ $state }

denied-not-requester = 你无权申请私网连接；请联系平台管理员将你加入机器人的申请人名单
denied-no-roles = 不能使用 role={ $role }：本机器人只使用自己的 AWS 凭证；管理员可在 [policy] roles 中列出请求可以指定的角色
denied-role-not-listed = role={ $role } 不在本机器人可担任的角色中；允许的角色有 { $allowed }
denied-not-approver = 你不是私网连接的审批人，不能处理 { $job }
denied-self-approval = { $job } 是你申请的；必须由其他人审批
denied-cancel = 现在只有审批人可以取消 { $job }
denied-operate = 只有审批人可以{ $what } { $job }
denied-other-conversation = { $job } 属于另一个频道；请在它的卡片所在处操作
verb-retry = 重试
verb-rollback = 回滚
verb-delete = 删除

## 预检

finding-with-fix = { $finding } 修复：{ $fix }
finding-needs-china-plane = { $region } 由 Zilliz Cloud 中国站的控制面提供服务，但机器人连接的是全球站（{ $url }）。
finding-needs-global-plane = { $region } 由 Zilliz Cloud 全球站的控制面提供服务，但机器人连接的是中国站（{ $url }）。
fix-control-plane = 使用 zilliz.base_url（及 API 密钥）属于该区域控制面的机器人
finding-zilliz-services-unreadable = 无法列出 Zilliz Cloud 终端节点服务：{ $error }。
fix-zilliz-credentials = 检查机器人配置中的 Zilliz Cloud API 密钥和基础 URL
finding-no-endpoint-service = Zilliz Cloud 在 { $region } 没有提供私网终端节点服务。
fix-pick-region = 选择项目的 Dedicated 集群所在的区域
finding-no-cluster = Zilliz Cloud 中不存在集群 { $cluster }。
fix-cluster-id = 在集群详情页核对集群 ID
finding-not-dedicated = 集群 { $cluster } 使用 { $plan } 套餐；私网连接仅适用于 Dedicated 集群。
fix-dedicated = 将集群升级为 Dedicated 套餐，或不包含它
finding-cluster-project = 集群 { $cluster } 属于项目 { $actual }，而不是 { $requested }。
fix-cluster-project = 为集群所属的项目申请连接
finding-cluster-region = 集群 { $cluster } 运行在 { $actual }，而不是 { $requested }。
fix-cluster-region = 在集群所在的区域申请连接
finding-cluster-not-running = 集群 { $cluster } 当前为 { $status }；待它重新运行后连接即对它生效。
finding-cluster-unreadable = 无法从 Zilliz Cloud 读取集群 { $cluster }：{ $error }。
finding-aws-unreachable = 无法访问 { $region } 的 AWS：{ $error }。
fix-aws-credentials = 检查机器人的 AWS 凭证，或 role= 的 ARN 及其信任策略
finding-aws-refused = AWS 拒绝了一项预检：{ $error }。
fix-iam = 检查机器人的 IAM 权限（config/iam-policy.json）
finding-no-vpc = VPC { $vpc } 在 { $region } 中不存在（账号 { $account }）。
fix-vpc-id = 核对 VPC ID 和区域，或为 VPC 所在账号传入 role=
finding-dns-support-off = VPC { $vpc } 关闭了 DNS 解析（enableDnsSupport）；私有托管区域将无法解析。
fix-dns-support = aws ec2 modify-vpc-attribute --vpc-id { $vpc } --enable-dns-support
finding-dns-hostnames-off = VPC { $vpc } 关闭了 DNS 主机名（enableDnsHostnames）。
fix-dns-hostnames = aws ec2 modify-vpc-attribute --vpc-id { $vpc } --enable-dns-hostnames
finding-service-invisible = AWS 账号 { $account } 看不到终端节点服务 { $service }。
fix-service-invisible = 请 Zilliz Cloud 在终端节点服务上允许你的账号（参见 whitelistRequired），然后重试
finding-no-subnet = 子网 { $subnet } 不存在。
fix-subnet-ids = 核对子网 ID
finding-subnet-vpc = 子网 { $subnet } 属于 { $actual }，而不是 { $vpc }。
fix-subnet-vpc = 选择 { $vpc } 中的子网
finding-subnet-zone = 子网 { $subnet } 位于 { $zone }，该可用区不提供此终端节点服务。
fix-subnet-zone = 选择位于 { $zones } 的子网
finding-subnets-same-zone = 子网 { $subnets } 都位于 { $zone }；接口终端节点每个可用区只能使用一个子网。
fix-one-subnet-per-zone = 每个可用区只保留一个子网
finding-no-sg = 安全组 { $sg } 不存在。
fix-sg-ids = 核对安全组 ID
finding-sg-vpc = 安全组 { $sg } 属于 { $actual }，而不是 { $vpc }。
fix-sg-vpc = 选择 { $vpc } 中的安全组
finding-ports-closed = 安全组（{ $sgs }）都未放行 TCP { $ports } 入站；VPC 中的客户端将无法访问集群。
fix-ports-closed = 为客户端的 CIDR 添加 TCP { $ports } 的入站规则
finding-dry-run-denied = 机器人的 AWS 身份无权创建终端节点：{ $why }
fix-dry-run-denied = 授予 ec2:CreateVpcEndpoint 和 ec2:CreateTags（config/iam-policy.json）

## 计划

plan-account-of-bot = （机器人凭证所属账号）
plan-allow-account = 允许 AWS 账号 { $account } 访问 { $service }（Zilliz Cloud 要求：whitelistRequired；只增不删，重复执行无害）
plan-create-endpoint = 在 { $vpc } 中创建指向 { $service } 的接口 VPC 终端节点（子网 { $subnets }，安全组 { $sgs }），关闭私有 DNS
plan-register = 将终端节点注册到 { $region } 的 Zilliz Cloud 项目 { $project }
plan-zone = 为 { $cluster } 的私网连接主机名创建 Route 53 私有托管区域，关联到 { $vpc }，并添加指向终端节点的别名 A 记录
plan-heading = 计划（未保存也未创建任何东西）：
plan-account = AWS 账号：{ $account }
plan-blocking = 阻断：{ $finding }
plan-warning = 警告：{ $finding }
plan-clean = 预检未发现需要修复的问题。

## 卡片

card-title = 私网连接 { $job }：{ $vpc } → Zilliz Cloud { $region }
card-plan = 计划：
card-warnings = 预检警告
confirm-title = 确定吗？
confirm-deny = 取消
button-approve = 批准
button-reject = 拒绝
button-retry = 重试
button-rollback = 回滚
button-cancel = 取消
confirm-approve = 批准 { $job }？机器人将在所示账号中创建 AWS 资源。
confirm-rollback = 移除 { $job } 创建的全部资源？
status-waiting = 等待审批（{ $expires } 过期）
status-approved-by = 已由 { $by } 批准，排队中
status-running-by = 已由 { $by } 批准，正在运行步骤 { $step }
status-rejected-by = 已被 { $by } 拒绝
status-cancelled-by = 已被 { $by } 取消
field-requester = 申请人
field-project = 项目
field-region = 区域
field-vpc = VPC
field-subnets = 子网
field-security-groups = 安全组
field-clusters = 集群
field-account = AWS 账号
field-role = 角色
field-endpoint = 终端节点
value-unknown = 未知
value-zilliz-service = Zilliz 终端节点服务

## 线程消息

decided-approved = 已批准
decided-rejected = 已拒绝
decided-retrying = 正在重试
decided-rolling-back = 正在回滚
decided-deleting = 正在删除
note-decided = { $what }，操作人 { $by }。
progress-heading = { $job } 的步骤：已完成 { $done }/{ $total }
progress-done = ✔ 步骤 { $step }：{ $detail }
progress-running = ▶ 步骤 { $step }
progress-failed = ✘ 步骤 { $step }：{ $error }
progress-waiting = ◻ 步骤 { $step }
note-still-waiting = … 仍在步骤 { $step } 等待（{ $elapsed }）：{ $what }
duration-seconds = { $n } 秒
duration-minutes = { $n } 分钟
duration-hours = { $h } 小时 { $m } 分钟
note-step-failed = ✘ 步骤 { $step } 失败：{ $error }
    “重试”会从此步骤重新运行任务；“回滚”会移除它创建的资源。
note-rollback-failed = ✘ 回滚失败：{ $error }
    “回滚”（或 `/privatelink delete { $job }`）会再次执行拆除；已不存在的资源会被跳过。
note-delete-failed = ✘ 删除失败：{ $error }
    “回滚”（或 `/privatelink delete { $job }`）会再次执行拆除；已不存在的资源会被跳过。
note-cancelled = 已取消。目前已创建的资源会保留；`/privatelink rollback { $job }` 可移除它们。
note-succeeded = ✅ { $job } 已成功。通过以下地址连接：
note-resources = 资源：
note-rolled-back-all = 已回滚：{ $job } 创建的资源已全部移除。
note-rolled-back-some = 已回滚：{ $job } 独占的资源已移除；其余保留。
note-deleted-all = 已删除：{ $job } 创建的资源已全部移除。
note-deleted-some = 已删除：{ $job } 独占的资源已移除；其余保留。
note-kept = • 保留（{ $why }）：{ $resource }
note-card-overdue = 你的请求 { $job } 已保存并等待审批，但它的卡片暂时无法发布到频道（{ $error }）。机器人会持续重试；`/privatelink status { $job }` 可查看该请求，审批人也可以按 ID 操作。

resource-endpoint = VPC 终端节点 { $endpoint }
resource-registration = { $endpoint } 在 { $project } 中的 Zilliz 注册
resource-zone = 托管区域 { $zone }
resource-record = { $zone } 中的别名记录 { $host }
verdict-removed = 已移除
verdict-still-used = 仍被 { $jobs } 使用
verdict-not-bot = 不是机器人创建的
origin-created = 新建
origin-adopted = 沿用已有
line-endpoint = VPC 终端节点 { $endpoint }（{ $origin }）
line-endpoint-dns = 终端节点 DNS 名称 { $name }
line-registration = 在 { $project } 中的 Zilliz 注册（{ $origin }）
line-cluster = { $cluster }：私网连接 { $address }
line-cluster-zone = ，托管区域 { $zone }
line-cluster-record = ，别名 A 记录 { $host } → 终端节点

## 步骤详情与步骤错误

detail-endpoint-service = 终端节点服务 { $service }
detail-endpoint-service-allowed = 终端节点服务 { $service }；已允许 AWS 账号 { $account } 访问（whitelistRequired）
detail-endpoint-in-place = { $endpoint } 已存在（{ $state }）
detail-endpoint-found = 找到本任务之前创建的 { $endpoint }
detail-endpoint-adopted = 沿用已有的指向 { $service } 的终端节点 { $endpoint }（{ $owner }）
detail-endpoint-created = 已创建 { $endpoint }（{ $state }）
detail-already-registered = { $endpoint } 已注册到 { $project }
detail-registered = 已将 { $endpoint } 注册到 { $project }
detail-registered-despite = 已将 { $endpoint } 注册到 { $project }（Zilliz 的应答：{ $answer }）
detail-accepted = { $endpoint } 已可用并被接受
detail-hosts = 私网连接主机名：{ $hosts }
detail-zone-found = 找到 { $host } 的托管区域 { $zone }
detail-zone-created = 已为 { $host } 创建托管区域 { $zone }
detail-with-owner = { $detail }（{ $owner }）
detail-record = { $host } → { $target }
detail-verified = { $endpoint } 可用；{ $count } 条别名记录指向它
owner-shared = 由 { $job } 创建；共享使用，随最后一个使用者一起移除
owner-not-bot = 不是机器人创建的；拆除时会保留
wait-accepted = { $endpoint } 被接受
wait-not-listed = 尚未列出
wait-aws-and-zilliz = AWS 显示 { $aws }，Zilliz Cloud 显示 { $zilliz }
wait-no-address = { $cluster } 还没有私网连接地址；Zilliz Cloud 显示 { $zilliz }
wait-address = { $cluster } 的私网连接地址
wait-cluster-status = Zilliz Cloud 显示 { $cluster } 为 { $status }
wait-what-now = { $what }；{ $now }

err-reach-aws = 无法访问 AWS
err-address-without-host = Zilliz 返回的私网连接地址没有主机名：{ $address }
err-read-owners = 无法读取 { $resource } 的使用者：{ $error }
err-wait-timed-out = 等待 { $what } 超时（{ $seconds } 秒）（{ $now }）
err-job-unreadable = 无法重新读取 { $job }
err-record-resources = 无法记录任务的资源：{ $error }
err-zilliz-list-services = Zilliz Cloud 未列出终端节点服务
err-no-endpoint-service = Zilliz Cloud 在 { $region } 没有提供终端节点服务
err-account-id = 无法读取 AWS 账号 ID
err-zilliz-whitelist = Zilliz Cloud 未允许该 AWS 账号访问
err-service-unknown = 终端节点服务尚未确定
err-no-endpoint = 任务还没有 VPC 终端节点
err-describe-endpoint = 无法查询终端节点
err-tagged-endpoints = 无法查找带标签的终端节点
err-vpc-endpoints = 无法查找 VPC 中的终端节点
err-create-endpoint = 无法创建 VPC 终端节点
err-registration-refused = Zilliz Cloud 拒绝了注册
err-zilliz-list-endpoints = Zilliz Cloud 未列出项目的终端节点
err-endpoint-gone = { $endpoint } 已不存在
err-endpoint-state = { $endpoint } 当前为 { $state }
err-zilliz-reports = Zilliz Cloud 报告 { $endpoint } 为 { $status }
err-zilliz-describe-cluster = Zilliz Cloud 未返回集群信息
err-cluster-gone = 集群 { $cluster } 已不存在
err-list-zones = 无法列出托管区域
err-several-zones = 有 { $count } 个名为 { $host } 的私有托管区域关联到 { $vpc }（{ $zones }）；请只保留一个
err-zone-conflict-hidden = 无法创建私有托管区域：名为 { $host } 的区域已以本账号看不到的方式关联到 { $vpc }（其他账号的区域，或共享 VPC）；请解除关联或从那个账号建立连接
err-create-zone = 无法创建私有托管区域
err-no-dns-name = { $endpoint } 没有可指向的 DNS 名称
err-no-zone-recorded = 没有记录 { $cluster } 的托管区域
err-upsert-record = 无法写入别名记录
err-endpoint-not-available = { $endpoint } 当前为 { $state }，不可用
err-zone-not-associated = { $host } 的区域 { $zone } 未关联到 { $vpc }
err-read-record = 无法读取别名记录
err-record-wrong = { $host } 的别名记录没有指向 { $target }
err-delete-record = 无法删除别名记录
err-delete-zone = 无法删除托管区域
err-delete-endpoint = 无法删除 VPC 终端节点

## 对操作者本人的回复

reply-slow-down = 你发送命令的速度超过了机器人对单个用户的接收上限；本次未执行任何操作。请等几秒后重试。
reply-busy = 机器人当前繁忙，未接收这条请求；没有任何更改。请稍后再试。
reply-store-failed = 机器人无法读写自身状态；没有任何更改。错误详情见机器人日志。
reply-no-such-job = 不存在任务 { $job }。
reply-no-jobs = 没有任务。
reply-slot-busy = { $other } 已在 { $region } 的 { $vpc } 上处于{ $state }；同一 VPC 和区域同一时间只运行一个任务。请等待它完成，或先取消它。
reply-nothing-stored = { $why }；未保存任何内容。
reply-preflight-refused = 预检拒绝了该请求；未保存任何内容：
reply-slot-taken = { $other } 刚刚占用了这个 VPC 和区域；同一 VPC 和区域同一时间只运行一个任务。
reply-created = { $job } 正在等待审批；它的卡片正在发往频道。必须由你以外的审批人批准。
reply-slot-active = { $other } 正在同一 VPC 和区域上运行；请等它完成。
reply-cancelled = { $job } 已取消。
reply-cancel-running = { $job } 会在当前步骤结束后停止；已创建的资源会保留，直到你回滚它。
reply-rejected = 你拒绝了 { $job }。
reply-approved = 你批准了 { $job }；它正在运行。
reply-acted = { $what } { $job }。
status-requested = 由 { $by } 于 { $at } 申请；{ $region } 的 { $vpc }，集群 { $clusters }
status-card-unposted =   （卡片尚未发布：聊天平台还没有接收它；机器人会持续重试）
status-step-done = 步骤 { $step } — 完成
status-step-done-note = 步骤 { $step } — 完成：{ $note }
status-step-started = 步骤 { $step } — 已开始
word-pending-approval = 待审批
word-approved = 已批准
word-running = 运行中
word-succeeded = 已成功
word-repairing = 修复中
word-handed-over = 已移交
word-failed = 已失败
word-cancelled = 已取消
word-rejected = 已拒绝
word-expired = 已过期
word-rolling-back = 回滚中
word-deleting = 删除中
word-teardown-failed = 拆除失败
word-rolled-back = 已回滚
word-deleted = 已删除
list-line = { $job } { $state } { $vpc } { $region } { $clusters }（申请人 { $by }）

## 控制台自身的文字

console-card-posted = 卡片 { $card }，位于 #{ $channel }
console-card-now = 卡片 { $card } 现在：
console-thread = { $job } 卡片 { $card } 的线程
console-only = 仅 { $user } 可见
console-only-you = 仅你可见
console-not-utf8 = 这一行不是有效的 UTF-8 文本；已忽略
console-expired = 已过期：{ $jobs }

## 聊天表单（Slack 的创建表单）

form-title = 新建私网连接
form-submit = 检查并提交申请
form-close = 取消
form-failed = 无法打开表单（{ $error }）。请直接输入命令：
    { $usage }
form-project = Zilliz Cloud 项目 ID
form-region = Zilliz Cloud 区域
form-vpc = VPC ID
form-subnets = 子网 ID（每个可用区一个，逗号分隔）
form-sg = 安全组 ID（逗号分隔）
form-clusters = Dedicated 集群 ID（逗号分隔）
form-role = 要担任的 IAM 角色 ARN（可选）

## Discord 斜杠命令（描述，最多 100 个字符）

slash-command = 经审批建立到 Zilliz Cloud 的 AWS PrivateLink
slash-create = 申请私网连接（需要审批）
slash-plan = 检查请求并展示计划；不创建任何东西
slash-status = 查看任务
slash-cancel = 取消任务
slash-retry = 重试失败的任务
slash-rollback = 回滚失败的任务
slash-delete = 删除私网连接
slash-help = 机器人用法
slash-option-job = 任务 ID，例如 PL-1042
slash-option-filter = 哪些任务
slash-option-command = 命令名

## The real services at their worst
finding-service-not-yet-visible = 终端节点服务 { $service } 需要白名单，AWS 账号 { $account } 目前还看不到它。步骤 1 会把该账号加入白名单，并等待 AWS 显示该服务；届时再检查子网所在的可用区。
wait-service-visible = AWS 向账号 { $account } 显示 { $service }
wait-service-invisible = 尚不可见（加入白名单后需要一点时间才会在 AWS 生效）
err-describe-service = AWS 未能描述终端节点服务
err-describe-subnets = AWS 未能描述子网
err-subnets-outside-service = 终端节点服务未在 { $subnets } 所在的可用区提供；它在 { $zones } 提供：请回滚，并用这些可用区中的子网重新申请
err-endpoint-rejected = Zilliz Cloud 拒绝了来自 { $endpoint } 的连接。被拒绝的终端节点无法重新提交：请回滚（会删除它），与 Zilliz Cloud 支持确认项目和区域后重新申请
err-endpoint-failed = AWS 未能创建 { $endpoint }（状态为 failed；常见原因是子网中没有空闲地址）。请回滚，检查子网后重试
err-zone-foreign = { $host } 的私有托管区域（{ $zone }）属于 { $owner }，已关联到 { $vpc }：机器人不能写入它，也不能另建同名区域。请其所有者添加别名记录或解除关联后重试
wait-dns-in-sync = Route 53 变更 { $change } 同步到所有 DNS 服务器
wait-dns-pending = PENDING
err-read-change = Route 53 未返回变更的同步状态
err-zilliz-deregister = Zilliz Cloud 未能注销终端节点
note-step-warning = ⚠ 步骤 { $step }：{ $warning }
blocked-not-in-channel = 机器人不在该频道中：请把它邀请进来（Slack 中 /invite @privatelink-bot；Discord 中给它的角色开放该频道）
blocked-channel-gone = 该频道已不存在，或机器人看不到它：请在机器人所在的频道重新申请
blocked-archived = 该频道已归档：请取消归档，或在其他频道重新申请
blocked-no-permission = 机器人在该频道缺少权限：请授予它发帖权限
blocked-message-gone = 任务卡片已被删除：将重新发布一张卡片
note-delivery-blocked = { $job } 的消息无法发到 { $channel }：{ $why }。任务本身会继续执行；问题解决后，卡片和讨论串会自动出现在那里。在此期间可用 `/privatelink status { $job }` 查看进展。
status-delivery-blocked = ⚠ 其消息正在等待：{ $why }。

# 漂移：已建好的私网连接中不再成立的事实。
drift-endpoint-gone = VPC 终端节点已不存在
drift-endpoint-not-available = VPC 终端节点当前为 { $state }，不是 available
drift-endpoint-renamed = VPC 终端节点的区域 DNS 名称与记录指向的不一致
drift-registration-gone = 终端节点已不再注册在 Zilliz 项目中
drift-registration-failed = Zilliz 注册状态为 { $status }
drift-zone-detached = { $host } 的私有托管区域已不再关联到该 VPC
drift-alias-gone = 别名记录 { $host } 已被删除
drift-alias-repointed = 别名记录 { $host } 现在指向 { $to }
drift-address-changed = { $cluster } 的私网连接地址已变更
status-drifted = ⚠ 已漂移：{ $what }
status-drifted-more = ⚠ 已漂移：{ $what }（另有 { $more } 项）
note-drifted = ⚠ { $job } 已漂移：使私网连接正常工作的配置已不再成立。
note-restored = ✅ { $job } 已恢复：漂移检查的各项均已恢复正常。
status-checked-in-shape = 漂移检查：{ $at } 时一切正常。
status-checked-drifted = 漂移检查：截至 { $at } 已漂移：
status-check-denied = 漂移检查无法读取 { $fact }：{ $why }
help-verify = 立即检查已成功任务的私网连接（与漂移检查相同）：终端节点、Zilliz 注册、托管区域、别名记录和集群地址。
slash-verify = 立即检查任务的连接
reply-verify-in-shape = { $job } 一切正常：漂移检查的各项均成立。
reply-verify-drifted = { $job } 已漂移（下一次检查再次发现后会在其线程中通知）：
reply-verify-not-succeeded = { $job } 当前为{ $state }：只检查已成功任务的连接。
reply-verify-moved = { $job } 在检查期间发生了变化，请再试一次。
reply-verify-read-failed = 这次无法读取 { $fact }（{ $why }），漂移检查会再试。
status-check-whitelist-unread = 漂移检查：不检查账号的白名单（Zilliz Cloud 没有读取白名单的接口）。
status-drifted-shared = ⚠ 已漂移：{ $what }（共享的终端节点；已在 { $job } 的线程中通知）
drift-ports-closed = 安全组已不再放行端口 { $ports }（连接将超时）
fact-endpoint = VPC 终端节点
fact-registration = Zilliz 注册
fact-zone = 私有托管区域
fact-alias = 别名记录
fact-address = 集群地址
fact-ports = 安全组

# 修复与接受：把漂移的连接恢复原状，或接受现状。
state-repairing = 正在修复，当前步骤 { $step }
refusal-not-repairable = { $job } 当前为{ $state }：只有已成功任务的连接可以修复或接受。
refusal-nothing-to-repair = { $job } 没有机器人能恢复的内容：漂移的部分不是机器人创建的（请接受现状，或手动修复）。
refusal-nothing-to-accept = { $job } 没有需要接受的漂移。
verb-repair = 修复
verb-accept = 接受漂移：
button-repair = 修复
button-accept = 接受现状
confirm-repair = 按漂移通知所列修复 { $job }？机器人将更改云资源。
confirm-accept = 接受 { $job } 的现状？只要保持不变，漂移检查将不再通知此漂移。
decided-repairing = 正在修复
decided-accepted = 已接受现状（漂移检查不再通知此漂移）
repair-new-endpoint = 在 { $vpc } 中新建到 { $service } 的 VPC 终端节点以替代 { $old }（新的私有地址；终端节点按小时计费）
repair-register-new = 将新终端节点注册到项目 { $project } 并等待接受
repair-register = 重新将 { $endpoint } 注册到项目 { $project }
repair-read-addresses = 重新读取集群的私网连接地址：主机名变更的集群会为新主机名创建托管区域，机器人为旧主机名创建的区域将被删除
repair-zone = 重新将区域 { $zone }（{ $host }）关联到 { $vpc }
repair-upsert = UPSERT 别名 { $host }（区域 { $zone }）→ { $target }
repair-upsert-new = UPSERT 别名 { $host }（区域 { $zone }）→ 新终端节点
repair-verify = 端到端验证连接
note-drift-repair = 修复将：{ $changes }
note-drift-repair-approval = 修复会新建终端节点：需由 { $requester } 以外的审批人点击“修复”。
note-drift-no-repair = 漂移的部分不是机器人创建的，机器人无法恢复：请手动修复，或接受现状。
note-repaired = ✅ { $job } 已修复并通过验证。
note-repair-failed = ❌ { $job } 的修复在 { $step } 失败：{ $error }。连接保持漂移检查发现时的状态；点击“修复”可再试。
note-repair-shared = { $job } 与 { $other } 共享的终端节点已被其修复替换：本任务改用新终端节点，并将别名指向它。
denied-repair-new-endpoint = 修复 { $job } 会新建终端节点，与创建一样需要审批：需由申请人以外的审批人点击“修复”。
note-drift-repair-there = 该终端节点属于 { $other }：在 { $other } 的线程中点击“修复”会把本连接一并迁移到新终端节点。
err-associate-zone = 无法将区域 { $zone } 重新关联到该 VPC
repair-upsert-all = UPSERT 每个集群的别名记录 → { $target }
refusal-repair-elsewhere = { $job } 与 { $other } 共享终端节点：请在 { $other } 的线程中点击“修复”，终端节点只会重建一次，并把 { $job } 一并迁移过去。

# 将连接移交给 Terraform。
state-handed-over = 已由 { $by } 移交给 Terraform
status-handed-over = 🔁 已由 { $by } 于 { $at } 移交给 Terraform
refusal-managed-by-terraform = { $job } 自 { $since } 起由 Terraform 管理：机器人不再更改它。请在 Terraform 中执行 `terraform destroy`，或先用 `/privatelink adopt { $job }` 收回。
refusal-not-handable = { $job } 当前为{ $state }：只有已成功的连接可以移交给 Terraform。
refusal-not-handed-over = { $job } 当前为{ $state }：只有已移交给 Terraform 的连接可以收回。
note-drift-terraform = 该连接由 Terraform 管理：`terraform plan` 会显示恢复所需的变更。

# 导出到 Terraform。
help-export = 在任务线程中发布其所建资源的 Terraform：带文档规定 ID 的 import 块、相互引用的资源，并检查 Zilliz 注册。申请人和审批人可以使用。
help-adopt = 将已移交给 Terraform 的连接收回由机器人管理（审批人）。
slash-export = 将任务的连接导出为 Terraform
slash-adopt = 从 Terraform 收回连接
verb-hand-over = 移交给 Terraform
verb-adopt = 从 Terraform 收回
button-hand-over = 移交给 Terraform
confirm-hand-over = 将 { $job } 移交给 Terraform？此后机器人不会删除、回滚或修复它；漂移检查只做通知。
decided-handed-over = 已移交给 Terraform
decided-taken-back = 已从 Terraform 收回
note-exported = { $job } 的 Terraform 已附上（{ $file }）：import 块会把终端节点、托管区域和记录纳入你的状态，首次 `terraform plan` 应无变更。合并并应用后，请移交该连接，机器人将不再管理它。
reply-exported = { $job } 的 Terraform 已发布在其线程中（{ $file }）。
reply-export-not-succeeded = { $job } 当前为{ $state }：只有已完成的连接可以导出。
reply-export-no-link = { $job } 没有记录终端节点：没有可导出的内容。
denied-export = 只有 { $job } 的申请人和审批人可以导出。
console-file-written = 文件已写入：{ $path }
verdict-terraform = 由 Terraform 管理（随 { $jobs } 移交）

# 按频道和账号的护栏。
denied-no-rule = 策略中没有规则覆盖来自 { $channel } 的请求（AWS 账号 { $account }，区域 { $region }，项目 { $project }）：未存储任何内容。管理员可以添加覆盖它的 [[policy.rule]]。
denied-name-unread = 规则“{ $rule }”按名称指定频道，而机器人读不到 { $channel } 的名称：无法判断该规则是否适用，因此不会由后面的规则代替。未存储任何内容；请在平台恢复应答后重试。
policy-name-unread = { $place }：无法判断。规则“{ $rule }”按名称指定频道，而读不到本频道的名称，因此不再尝试后面的规则。
policy-other-name-unread = 机器人不会为策略查询读取其他频道的名称；请在该频道中询问
denied-rule-requester = 覆盖此请求的规则“{ $rule }”不允许你发起它；未存储任何内容。
refusal-already-approved = { $by } 已批准过 { $job }：每位审批人只计一次。
status-waiting-approvals = 等待审批：已 { $have } / 共需 { $need }（{ $by }）；{ $expires } 过期
note-approval-counted = 第 { $have } / { $need } 个批准，来自 { $by }。
reply-approval-counted = 你对 { $job } 的批准已计入：{ $have } / { $need }。
denied-no-rule-here = 策略中没有规则覆盖来自 { $channel } 的请求：未存储任何内容。管理员可以添加包含该频道的 [[policy.rule]]。
channel-name-unread = （按名称指定频道的规则（{ $platform }:#名称）无法在此判断：机器人读不到本频道的名称：{ $why }）
note-counted = { $by } 请求：{ $what }（已 { $have } / 共需 { $need } 个批准；凑齐后开始）。
help-policy = 查看某频道（默认当前频道）、AWS 账号、区域和项目适用的护栏：谁可以申请、谁审批、每种变更需要几个批准。
slash-policy = 查看适用的护栏
slash-option-channel = 频道，格式 <平台>:<ID>（不填则为当前频道）
slash-option-account = AWS 账号 ID
slash-option-policy-region = Zilliz 区域，例如 aws-us-west-2
slash-option-policy-project = Zilliz 项目 ID
parse-bad-policy-part = { $part } 既不是频道（<平台>:<ID>）、AWS 账号（12 位数字）、Zilliz 区域（aws-…），也不是项目（proj-…）
policy-any = 任意
policy-where = { $channel }，账号 { $account }，区域 { $region }，项目 { $project }
policy-none = 没有规则覆盖 { $place }：来自那里的请求会被拒绝。管理员可以添加覆盖它的 [[policy.rule]]。
policy-rule = 规则“{ $rule }”适用于 { $place }。它覆盖频道 { $channels }；账号 { $accounts }；区域 { $regions }；项目 { $projects }。申请人：{ $requesters }。审批人：{ $approvers }。所需批准数：创建 { $create }，删除 { $delete }，修复 { $repair }。
help-sandbox = 查看本频道的沙盒环境及连接它的命令；reset 让本频道重新开始；scenario <名称> 让下一个任务遇到真实世界的故障：whitelist-required、slow-acceptance、rejected、throttled、chat-outage、drift。仅在机器人以 serve --sandbox 运行时可用。
slash-sandbox = 在本频道的沙盒环境中试用机器人
slash-option-sandbox-action = show（默认）、reset、scenarios 或 scenario
slash-option-scenario = 下一个任务要遇到的故障
parse-no-such-scenario = 没有场景 { $scenario }：请从 { $names } 中选择。
parse-bad-sandbox = 请写 sandbox、sandbox reset、sandbox scenarios 或 sandbox scenario <名称>（{ $names } 之一）。
scenario-whitelist-required = Zilliz 项目尚未放行你的 AWS 账号：任务会放行它，之后 Zilliz 才接受连接
scenario-slow-acceptance = Zilliz 接受连接需要较长时间：任务会等待并告知
scenario-rejected = Zilliz 一侧拒绝连接：任务停止并说明该怎么做
scenario-throttled = AWS 对接下来的调用限流（RequestLimitExceeded）：任务退避后继续
scenario-chat-outage = 本频道接下来的消息发送失败：聊天恢复后它们会按顺序迟到送达
scenario-drift = 立即删除本频道最近一个已完成连接的别名记录：漂移巡检会发现并提供修复
sandbox-off = 沙盒命令仅在机器人以 `privatelink-bot serve --sandbox` 运行时可用；当前机器人连接的是真实云。
sandbox-welcome = 🧪 本频道有一个专属的沙盒环境（其中一切都不是真的，只在机器人运行期间存在）：{ $region } 中的 VPC { $vpc }，子网 { $subnets }，安全组 { $sg }；Zilliz 项目 { $project }，集群 { $clusters }。要连接它们，请粘贴：
    { $line }
    然后可以用 `/privatelink sandbox scenario <名称>` 让下一个任务遇到真实世界的故障（`/privatelink help sandbox` 列出全部），或用 `/privatelink sandbox reset` 重新开始。
sandbox-reset-done = 🧪 本频道在新环境中重新开始；旧环境的任务仍可在 `list all` 中看到。
sandbox-armed = 🧪 已设置：{ $scenario }：{ $what }。
sandbox-scenarios = 🧪 场景（`/privatelink sandbox scenario <名称>`）：
sandbox-drift-done = 🧪 已手动删除 { $job } 的别名 { $host }；漂移巡检每 { $every } 检查一次，两次检查后会在任务的线程中告知（或现在运行 `/privatelink verify { $job }`）。
sandbox-drift-none = 🧪 本频道的环境中还没有已完成的连接：请先创建一个，再要求漂移。
sandbox-failed = 🧪 沙盒无法完成此操作：{ $why }
sandbox-mark = 🧪 沙盒 · 这里的一切都不是真的
