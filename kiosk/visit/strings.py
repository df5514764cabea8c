"""Every fixed sentence the citizen sees or hears, in one catalog: Simplified Chinese first, English complete.

Screens and voice read the same entry, so what is shown and what is spoken never drift apart. A string that
needs data takes ``str.format`` fields.
"""

from __future__ import annotations

from dataclasses import dataclass

Language = str  # "zh_CN" | "en"

CATALOG: dict[str, tuple[str, str]] = {
    # shell
    "app.title": ("政务服务自助终端", "Government Services Kiosk"),
    "shell.elder_on": ("长辈版", "Large text"),
    "shell.elder_off": ("退出长辈版", "Standard text"),
    "shell.contrast": ("高对比度", "High contrast"),
    "shell.elder_describe": ("切换长辈版：大字、大按钮", "Switch large text and buttons"),
    "shell.call_staff": ("呼叫工作人员", "Call staff"),
    "shell.repeat": ("再听一遍", "Repeat"),
    "shell.volume_up": ("声音大", "Louder"),
    "shell.volume_down": ("声音小", "Quieter"),
    "shell.back": ("返回", "Back"),
    "shell.start_over": ("重新开始", "Start over"),
    "shell.next": ("下一步", "Next"),
    "shell.language": ("English", "中文"),
    "shell.staff_coming": ("工作人员马上到，请稍候。", "A member of staff is on the way. Please wait."),
    "shell.staff_acknowledged": ("工作人员已确认，马上到。", "Staff have seen your call and are on the way."),
    "shell.staff_coming_offline": (
        "已呼叫工作人员。如果无人前来，请到服务台求助。",
        "Staff have been called. If nobody comes, please go to the service desk.",
    ),
    "shell.close": ("知道了", "OK"),
    "shell.demo": ("演示模式", "Demo mode"),
    # attract
    "attract.start": ("开始办理", "Start"),
    "attract.prompt": ("您好，欢迎使用政务服务自助终端。请点击开始办理。", "Welcome. Tap Start to begin."),
    "attract.notices": ("通知公告", "Notices"),
    "attract.elder_door_hint": ("大字、大按钮、慢速语音", "Bigger text and buttons, slower voice"),
    # idle
    "idle.title": ("您还在办理吗？", "Are you still there?"),
    "idle.countdown": (
        "{seconds} 秒后将清除您填写的内容并返回首页。",
        "In {seconds} seconds your answers will be cleared.",
    ),
    "idle.continue": ("继续办理", "Continue"),
    "idle.prompt": (
        "您还在办理吗？如需继续，请点击继续办理。",
        "Are you still there? Tap Continue to keep going.",
    ),
    "idle.waiting_for_print": ("正在打印，请稍候…", "Printing, please wait…"),
    # services
    "services.title": ("请选择要办理的事项", "Choose a service"),
    "services.prompt": ("请选择您要办理的事项。", "Please choose the service you need."),
    "services.more": ("更多事项", "More services"),
    "services.page": ("第 {page} 页，共 {pages} 页", "Page {page} of {pages}"),
    "services.previous": ("上一页", "Previous"),
    # identify
    "identify.card_title": ("请放身份证", "Place your ID card"),
    "identify.card_prompt": (
        "请把身份证放在屏幕下方的感应区，不要移动。",
        "Place your ID card on the reader below the screen and hold it still.",
    ),
    "identify.qr_title": ("请出示二维码", "Show your QR code"),
    "identify.qr_prompt": (
        "请把手机上的二维码对准屏幕下方的摄像头。也可以改用身份证。",
        "Hold the QR code on your phone to the camera below the screen. You can also use your ID card.",
    ),
    "identify.use_card": ("改用身份证", "Use ID card instead"),
    "identify.use_qr": ("改用二维码", "Use a QR code instead"),
    "identify.materials": ("需要准备的材料", "What you need"),
    "identify.demo_card": ("放置演示身份证", "Place demo ID card"),
    "identify.demo_qr": ("出示演示二维码", "Show demo QR code"),
    "identify.too_young": (
        "此事项需年满 {age} 周岁，您暂时不能办理。",
        "This service is for people aged {age} or older.",
    ),
    "identify.read_failed": ("没有读到身份证，请重新放一次。", "The card could not be read. Please place it again."),
    "identify.remove_card": ("已读取，请取回身份证。", "Done. Please take your ID card back."),
    # form
    "form.step": ("第 {step} 步，共 {steps} 步", "Step {step} of {steps}"),
    "form.required": ("这一项必须填写。", "This is required."),
    "form.yes": ("是", "Yes"),
    "form.no": ("否", "No"),
    "form.prefilled": ("已从身份证读取", "Read from your ID card"),
    "form.bad_phone": ("手机号码应为11位数字，以1开头。", "A mobile number has 11 digits and starts with 1."),
    "form.bad_number": ("请输入 {low} 到 {high} 之间的数字。", "Enter a number from {low} to {high}."),
    "form.not_number": ("请输入数字。", "Please enter a number."),
    "form.bad_date": (
        "日期不正确，请按年月日输入8位数字，例如 20240101。",
        "Enter the date as 8 digits, e.g. 20240101.",
    ),
    "form.date_range": ("日期应在 {low} 到 {high} 之间。", "The date must be between {low} and {high}."),
    "form.too_long": ("内容太长，最多 {count} 个字。", "Too long: at most {count} characters."),
    "form.bad_address": (
        "请写完整地址，写到门牌号，如某某路8号。",
        "Please give the full address, with the number.",
    ),
    "form.capture": ("拍照", "Take photo"),
    "form.camera_area": ("请对准摄像头", "Face the camera"),
    "form.retake": ("重拍", "Retake"),
    "form.captured": ("已拍好", "Photo taken"),
    "form.sign_clear": ("重写", "Clear"),
    "form.signed": ("已签名", "Signed"),
    "form.signature_label": ("本人签名", "Signature"),
    "form.computed": ("由出生日期计算", "Worked out from your date of birth"),
    "form.date_hint": (
        "请用数字键输入年月日，共8位数字，例如 20240101。",
        "Type the year, month and day as 8 digits, e.g. 20240101.",
    ),
    "form.bad_account": (
        "银行卡号应为16到19位数字，请对照银行卡核对。",
        "A bank card number has 16 to 19 digits; please check it against the card.",
    ),
    "form.account_ending": ("尾号 {last}", "ending in {last}"),
    "form.sign_first": (
        "还没有签名。请先用手指在框内写下您的名字，再点下一步。",
        "Not signed yet. Write your name in the box with your finger, then tap Next.",
    ),
    "form.capture_first": ("还没有拍照。请先点拍照。", "No photo yet. Tap Take photo first."),
    "form.choose_first": ("还没有选择。请点一个选项。", "Nothing chosen yet. Please tap one of the choices."),
    "form.check_photo": (
        "请看看照片是否清楚。清楚就点用这张，不满意就点重拍。",
        "Check the photo is clear. Tap Use this photo, or Retake.",
    ),
    "form.use_photo": ("用这张", "Use this photo"),
    "form.field_prompt": ("请填写：{label}。{help}", "Please fill in: {label}. {help}"),
    "form.choose_prompt": ("请选择：{label}。{help}", "Please choose: {label}. {help}"),
    # review
    "review.title": ("请核对信息", "Please check"),
    "review.prompt": ("请核对您填写的信息。", "Please check your answers."),
    "review.submit": ("确认提交", "Submit"),
    "review.change": ("修改", "Change"),
    "review.more": ("往下看，还有 {count} 项 ▼", "{count} more below ▼"),
    # submit and result
    "submit.working": ("正在提交，请稍候…", "Submitting, please wait…"),
    "result.accepted_title": ("已受理", "Accepted"),
    "result.accepted": ("您的申请已受理，受理编号 {case_no}。", "Your application is accepted. Case number {case_no}."),
    "result.case_no_label": ("受理编号", "Case number"),
    "result.provisional_label": ("临时编号", "Provisional number"),
    "result.query_no_label": ("查询编号", "Reference"),
    "result.queued_title": ("已保存", "Saved"),
    "result.queued": (
        "网络暂时不通，您的申请已安全保存，临时编号 {case_no}。网络恢复后会自动提交，结果将以短信通知，或到窗口查询。",
        "The network is down. Your application is saved safely with provisional number {case_no}. It will be "
        "sent automatically; you will get the result by SMS or at the counter.",
    ),
    "result.queued_shown": (
        "网络暂时不通，申请已安全保存在本机，网络恢复后自动提交，结果以短信通知。也可凭临时编号到窗口查询。",
        "The network is down. Your application is saved safely on this terminal and will be sent automatically; "
        "the case number and the result come by SMS. Until then, quote the provisional number above at the counter.",
    ),
    "result.query_title": ("查询结果", "Result"),
    "result.query_offline": (
        "网络暂时不通，现在无法查询。请稍后再试，或到窗口办理。",
        "The network is down, so the query cannot run now. Please try later or go to the counter.",
    ),
    "result.ticket_title": ("您的号码", "Your number"),
    "result.ticket": (
        "您的号码是 {number}，前面还有 {waiting} 人。请留意叫号。",
        "Your number is {number}. {waiting} people are ahead of you.",
    ),
    "result.ticket_shown": (
        "前面还有 {waiting} 人。请留意叫号。",
        "{waiting} people are ahead of you. Listen for your number.",
    ),
    "result.ticket_wait": (
        "预计等候约 {minutes} 分钟（按前面的人数和本时段预测的办理量估算）。",
        "Expected wait about {minutes} minutes (from the people ahead and this hour's forecast visits).",
    ),
    "result.failed_title": ("没有提交成功", "Not submitted"),
    "result.failed": (
        "提交没有成功，请呼叫工作人员帮忙。",
        "The submission did not go through. Please call staff for help.",
    ),
    "result.next_steps": ("后续步骤", "What happens next"),
    # the paper an outcome prints, and its twin on the screen
    "slip.receipt": ("回执", "receipt"),
    "slip.ticket": ("号票", "ticket"),
    "slip.certificate": ("证明", "certificate"),
    "receipt.printing": ("正在打印{slip}，请稍候…", "Printing your {slip}…"),
    "receipt.printed": ("{slip}已打印，请从出纸口取走。", "Your {slip} is printed. Please take it from the slot."),
    "receipt.paper_out": (
        "打印机缺纸，{slip}打印不出来。请用手机扫旁边的二维码保存。",
        "The printer is out of paper. Scan the code beside this with your phone to keep your {slip}.",
    ),
    "receipt.print_failed": (
        "{slip}没有打印出来。请用手机扫旁边的二维码保存，或呼叫工作人员。",
        "Your {slip} did not print. Scan the code beside this with your phone, or call staff.",
    ),
    "receipt.reprint": ("重新打印", "Print again"),
    "e_receipt.case": ("用手机扫这个码，随时查看办理进度", "Scan with your phone to follow your case"),
    "e_receipt.query": ("用手机扫这个码，查看最新结果", "Scan with your phone for the latest result"),
    "e_receipt.ticket": ("用手机扫这个码，查看排队进度", "Scan with your phone to see the queue"),
    "receipt.done": ("完成", "Done"),
    # rating
    "rating.title": ("请您评价本次服务", "Please rate this service"),
    "rating.prompt": ("请为本次服务评价，也可以跳过。", "Please rate this service, or skip."),
    "rating.level5": ("非常满意", "Very satisfied"),
    "rating.level4": ("满意", "Satisfied"),
    "rating.level3": ("基本满意", "Fairly satisfied"),
    "rating.level2": ("不满意", "Dissatisfied"),
    "rating.level1": ("非常不满意", "Very dissatisfied"),
    "rating.reason_title": ("哪里不满意？（可不选）", "What went wrong? (optional)"),
    "rating.reason_prompt": ("请告诉我们哪里不满意，也可以直接提交。", "Tell us what went wrong, or just submit."),
    "rating.reason_slow": ("等待时间长", "Too slow"),
    "rating.reason_hard": ("操作太难", "Hard to use"),
    "rating.reason_text": ("字太小看不清", "Text too small"),
    "rating.reason_result": ("没办成", "Matter not done"),
    "rating.reason_pick": (
        "可以点一项或几项，再点提交评价。",
        "Tap one or more, then tap Submit rating.",
    ),
    "rating.submit": ("提交评价", "Submit rating"),
    "rating.skip": ("跳过", "Skip"),
    # the ID number typed by hand (GB 11643)
    "id.not_digits": ("身份证号码前17位必须是数字。", "The first 17 characters of an ID number are digits."),
    "id.length": ("身份证号码应为18位，现在是{count}位。", "An ID number has 18 characters; this one has {count}."),
    "id.shape": ("身份证号码只能是数字，最后一位可以是X。", "An ID number is digits; the last one may be X."),
    "id.region": ("身份证号码的地区代码不存在。", "The region code of this ID number does not exist."),
    "id.no_such_date": ("身份证号码中的出生日期不存在。", "The birth date in this ID number does not exist."),
    "id.implausible_date": ("身份证号码中的出生日期不合理。", "The birth date in this ID number is not plausible."),
    "id.check_digit": (
        "身份证号码最后一位不对，请核对。",
        "The last character of this ID number is wrong; please check it.",
    ),
    # devices, as the citizen meets them
    "device.starting": ("终端正在启动，请稍候再试。", "The terminal is still starting. Please try again in a moment."),
    "device.reader_unavailable": (
        "身份证读卡器暂时不能使用，请扫码或呼叫工作人员。",
        "The ID card reader is not available. Scan a QR code or call staff.",
    ),
    "device.card_again": ("请重新放置身份证。", "Please place the ID card again."),
    "device.card_place": ("请把身份证放在感应区。", "Please place your ID card on the reader."),
    "device.card_unverified": (
        "身份证认证失败，请呼叫工作人员。",
        "The ID card could not be verified. Please call staff.",
    ),
    "device.card_unrecognised": (
        "无法识别的证件，请放置身份证。",
        "This card is not recognised. Please use an ID card.",
    ),
    "device.reader_service": ("读卡器故障，请呼叫工作人员。", "The card reader needs service. Please call staff."),
    "device.camera_unavailable": (
        "摄像头暂时不能使用，请呼叫工作人员。",
        "The camera is not available. Please call staff.",
    ),
    "device.camera_use_card": (
        "摄像头暂时不能使用，请改用身份证。",
        "The camera is not available. Please use your ID card.",
    ),
    "device.qr_unusable": (
        "这个二维码无法使用，请换一个或改用身份证。",
        "This QR code cannot be used. Try another or use your ID card.",
    ),
    "device.printer_unavailable": ("本机暂时不能打印。", "This terminal cannot print right now."),
    "capture.no_page": (
        "没有拍到材料，请把材料放在拍摄区中间。",
        "No page found. Put the paper in the middle of the area.",
    ),
    "capture.cut_off": (
        "请把材料放在拍摄区中间，不要超出边框。",
        "Move the paper to the middle: it is cut off at the edge.",
    ),
    "capture.too_small": (
        "材料太小或离得太远，请放在拍摄区中间。",
        "The paper looks too small. Put it in the middle of the area.",
    ),
    "capture.finger": ("请移开手指。", "Please move your finger away."),
    "capture.not_flat": ("请把材料放平。", "Please lay the paper flat."),
    "capture.glare": ("光线太强，请调整角度。", "Too much glare. Tilt the paper away from the light."),
    "capture.blur": ("画面模糊，请保持不动。", "The picture is blurred. Please hold still."),
    # technician
    "tech.title": ("维护模式", "Technician mode"),
    "tech.pin_prompt": ("请输入维护密码", "Enter the technician PIN"),
    "tech.pin_wrong": ("密码错误，还可尝试 {left} 次。", "Wrong PIN. {left} attempts left."),
    "tech.locked": ("尝试次数过多，请 {seconds} 秒后再试。", "Too many attempts. Try again in {seconds} seconds."),
    "tech.test_print": ("打印测试回执", "Print a test receipt"),
    "tech.sync_now": ("立即发送", "Send now"),
    "tech.exit": ("退出维护", "Exit"),
    "tech.pin_typed": ("已输入 {count} 位", "{count} digits typed"),
    "tech.why": ("原因：{reason}", "Why: {reason}"),
    "tech.device_id_reader": ("身份证读卡器", "ID card reader"),
    "tech.device_printer": ("回执打印机", "Receipt printer"),
    "tech.device_camera": ("摄像头", "Camera"),
    "tech.device_voice": ("语音", "Voice"),
    "tech.device_outbox": ("待发送队列", "Send queue"),
    "tech.device_hall": ("终端", "Terminal"),
    "tech.state_ok": ("正常", "working"),
    "tech.state_degraded": ("有问题", "has a problem"),
    "tech.state_offline": ("不能使用", "not working"),
    "tech.outbox_pending": ("待发送 {count} 件", "{count} waiting"),
    "tech.test_card": ("读卡测试", "Test the card reader"),
    "tech.test_voice": ("语音测试", "Test the voice"),
    "tech.test_camera": ("摄像头测试", "Test the camera"),
    "tech.camera_prompt": (
        "请把二维码放到摄像头前：识别到时会用绿框标出。",
        "Hold a QR code to the camera: a green frame marks it when it is read.",
    ),
    "tech.camera_none": ("摄像头没有画面。", "The camera gives no picture."),
    "tech.camera_qr_seen": ("已识别到二维码 ✔", "QR code read ✔"),
    "tech.camera_no_qr": ("画面中没有二维码", "No QR code in the picture"),
    "tech.card_wait": ("请在读卡区放一张身份证（10秒内）…", "Place an ID card on the reader (within 10 seconds)…"),
    "tech.card_read": ("读卡正常：{name}，{number}", "Card read: {name}, {number}"),
    "tech.no_card": ("10秒内没有读到身份证。", "No card was read within 10 seconds."),
    "tech.card_failed": ("读卡失败（{reason}）。", "The card could not be read ({reason})."),
    "tech.no_reader": ("本机没有配置身份证读卡器。", "No ID card reader is configured."),
    "tech.no_printer": ("本机没有配置打印机。", "No printer is configured."),
    "tech.printed": ("测试回执已打印，请检查出纸口。", "Test receipt printed: check the slot."),
    "tech.sending": ("已开始发送。", "Sending started."),
    "tech.no_voice": ("本机没有语音。", "This terminal has no voice."),
    "tech.voice_sample": (
        "语音测试。您好，欢迎使用政务服务自助终端。",
        "Voice test. Welcome to the government services kiosk.",
    ),
    "tech.voice_played": ("已播放测试语音，请听是否清楚。", "The test sentence was played: is it clear?"),
    "tech.settings": ("设置", "Settings"),
    "tech.back": ("返回维护", "Back"),
    "tech.connection": ("{device}接口：{value}", "{device} connection: {value}"),
    "tech.connection_next": ("改用 {value}", "Use {value}"),
    "tech.sim": ("模拟器", "simulator"),
    "tech.paper": ("纸宽：{width} 毫米", "Paper width: {width} mm"),
    "tech.paper_change": ("改为 {width} 毫米", "Change to {width} mm"),
    "tech.volume": ("默认音量：{percent}%", "Default volume: {percent}%"),
    "tech.volume_down": ("音量小一点", "Quieter"),
    "tech.volume_up": ("音量大一点", "Louder"),
    "tech.platform": ("平台地址：{url}", "Platform: {url}"),
    "tech.platform_embedded": ("演示平台（本机内置）", "demo platform (built in)"),
    "tech.saved": ("已保存，已生效。", "Saved and in use."),
    "tech.setting_invalid": ("没有保存：{reason}", "Not saved: {reason}"),
    "tech.setting_unknown": ("这些设置不能在这里修改：{names}", "These settings cannot be changed here: {names}"),
    "tech.no_config_file": ("本机没有配置文件，不能保存设置。", "This terminal has no config file to save to."),
    "tech.enrol": ("扫码接入平台", "Join a platform by QR code"),
    "tech.enrol_prompt": (
        "请把平台给出的接入二维码对准摄像头（kiosk-central enroll 生成）。",
        "Hold the platform's enrolment QR code to the camera (made by kiosk-central enroll).",
    ),
    "tech.enrol_waiting": ("正在找二维码……", "Looking for a QR code…"),
    "tech.enrol_not_code": ("这个二维码不是平台接入码：{reason}。", "This QR code is not an enrolment code: {reason}."),
    "tech.enrol_unreachable": (
        "连不上平台 {url}，没有保存。请检查网线或无线网络后再扫一次。",
        "Cannot reach the platform at {url}; nothing saved. Check the network, then scan again.",
    ),
    "tech.enrol_keys_differ": (
        "平台 {url} 的密钥与接入码不符，没有保存。请向平台管理员要一张新的接入码。",
        "The platform at {url} has other keys than the code; nothing saved. Ask for a new code.",
    ),
    "tech.enrolled": (
        "已接入平台 {url}，本机编号 {terminal}。重新启动本机后生效。",
        "Joined the platform at {url} as terminal {terminal}. Takes effect after a restart.",
    ),
    # goodbye
    "thanks.title": ("办理完成", "All done"),
    "thanks.title_failed": ("谢谢您", "Thank you"),
    "thanks.take_card_and_slip": ("请带好身份证和{slip}。再见！", "Take your ID card and your {slip}. Goodbye!"),
    "thanks.take_slip": ("请带好{slip}。再见！", "Take your {slip}. Goodbye!"),
    "thanks.take_ticket": ("请拿好号票，留意叫号。再见！", "Keep your ticket and listen for your number. Goodbye!"),
    "thanks.take_card": ("请带好身份证。再见！", "Take your ID card with you. Goodbye!"),
    "thanks.goodbye": ("再见！", "Goodbye!"),
}


@dataclass(frozen=True)
class Texts:
    """The catalog seen in one language."""

    language: Language = "zh_CN"

    def __call__(self, key: str, **fields: object) -> str:
        zh, en = CATALOG[key]
        text = en if self.language == "en" else zh
        return text.format(**fields) if fields else text
