"""The pinyin table (拼音字表): which characters typed letters can mean, and how they are found.

Two parts. The full table, ``kiosk/data/pinyin_table.txt``: every character of the 通用规范汉字表 (8,105,
rare name characters such as 禤, 亓, 阚 and 䶮 among them) under each of its readings, most frequent first,
made at build time by ``installer/make_pinyin_table.py`` from pypinyin. In front of it, the short hand-made
list below: the common surnames (百家姓), characters common in given names, relationship and address words,
so that under ``wang`` 王 comes first and under ``lv`` 吕. ``ü`` is typed as ``v``, as on every pinyin keyboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_SYLLABLES = """
a 阿 | ai 艾 | an 安按 | ao 敖澳 | ba 巴八爸把 | bai 白柏 | ban 班办 | bao 包鲍宝保 | bei 北
ben 本 | bi 毕闭 | bian 边卞 | biao 标 | bin 宾斌彬 | bo 薄波博 | bu 卜部补 | cai 蔡才财
can 参 | cao 曹 | cen 岑 | cha 查 | chai 柴 | chang 常长场 | chao 晁超朝 | che 车
chen 陈谌辰晨 | cheng 程成城 | chi 池迟 | chong 重 | chu 褚储楚初 | chuan 川 | chuang 窗
chun 春 | ci 次 | cong 丛从 | cui 崔翠 | cun 村 | da 大打 | dai 戴代 | dan 但丹单 | dang 党当
dao 道到 | de 德的 | deng 邓 | di 狄邸弟地第 | dian 淀电 | diao 刁 | ding 丁定 | dong 董东冬
dou 窦豆 | du 杜都度独 | duan 段短端 | dui 对队 | e 娥 | er 二儿 | fa 发 | fan 范樊帆
fang 方房芳放访 | fei 费飞 | fen 份 | feng 冯封丰奉凤峰 | fou 否 | fu 付符伏富福父夫服甫
gan 甘干 | gang 刚港 | gao 高郜告 | ge 葛盖戈哥个格 | gen 根 | geng 耿 | gong 龚宫巩公工
gou 苟勾 | gu 顾谷古辜 | guan 关管官 | guang 光广 | gui 桂贵 | guo 郭国果 | ha 哈 | hai 海
han 韩涵 | hang 杭行 | hao 郝浩号 | he 何贺和赫河合核 | hei 黑 | heng 衡 | hong 红宏 | hou 侯
hu 胡扈呼湖护户狐 | hua 华花话 | huan 欢 | huang 黄皇 | hui 惠辉慧徽会回 | huo 霍或
ji 纪季吉姬冀计嵇即机籍记 | jia 贾佳嘉 | jian 简建健监件键 | jiang 蒋姜江疆将 | jiao 焦缴
jie 揭杰姐街接结 | jin 金靳晋进津 | jing 景荆井敬静晶京 | jiu 九舅 | ju 鞠居菊局 | juan 娟
jun 军俊 | ka 卡 | kai 凯开 | kan 阚 | kang 康亢 | ke 柯可 | kong 孔 | kou 寇口 | kuang 邝匡况框
lai 来 | lan 兰蓝 | lang 郎 | lao 劳老 | le 乐 | lei 雷磊蕾类 | leng 冷
li 李黎栗厉利丽礼理例力 | lian 连练廉莲联 | liang 梁亮良 | liao 廖辽疗 | lin 林蔺琳邻赁
ling 凌玲领龄令 | liu 刘柳六 | long 龙隆 | lou 娄楼 | lu 卢陆鲁路芦鹿逯璐露录 | luan 栾 | lun 伦
luo 罗骆 | lv 吕 | ma 马麻妈码 | mai 麦 | man 满 | mao 毛茅帽 | me 么 | mei 梅妹每 | men 门
meng 孟蒙 | mi 米 | mian 面 | miao 苗缪 | min 闵敏民 | ming 明名 | mo 莫 | mou 牟
mu 穆母慕幕木 | na 那娜哪 | nai 奶 | nan 南男 | nei 内 | ni 倪 | nian 年 | nie 聂 | nin 您
ning 宁 | niu 牛 | nong 农 | nv 女 | ou 欧区偶 | pai 拍排 | pan 潘盘 | pang 庞 | pei 裴配
peng 彭鹏朋 | pi 皮 | pian 片 | piao 朴 | ping 平萍凭屏 | po 婆 | pu 蒲普浦
qi 齐祁戚漆亓七琪妻期起 | qian 钱倩茜签 | qiang 强 | qiao 乔 | qin 秦覃琴亲 | qing 卿庆清青请
qiu 邱仇裘秋 | qu 曲屈瞿取 | quan 全权泉 | que 阙确 | ran 冉 | rao 饶 | ren 任仁人认 | ri 日
rong 荣容戎 | ru 茹入如 | ruan 阮 | rui 芮睿 | san 三 | sang 桑 | sha 沙 | shan 单山善陕
shang 尚商上 | shao 邵 | she 佘摄社 | shen 沈申什审身 | sheng 盛生省
shi 石史施时师十士市室始式是 | shou 受手 | shu 舒束淑树属叔数输 | shua 刷 | shuai 帅 | shun 顺
si 司斯四思 | song 宋松 | su 苏粟宿肃诉 | sui 隋岁 | sun 孙 | suo 索 | ta 他 | tai 邰台
tan 谭谈檀探 | tang 唐汤 | tao 陶涛桃 | teng 滕 | ti 提 | tian 田天 | tie 贴 | ting 婷
tong 童佟仝同通 | tou 头 | tu 涂屠徒 | tui 退 | wai 外 | wan 万湾完 | wang 王汪旺
wei 魏韦卫位危尉伟薇 | wen 温文闻 | weng 翁 | wu 吴武伍邬巫乌五务屋无 | xi 席奚喜西媳系
xia 夏霞下 | xian 冼鲜贤县现险 | xiang 向项相香乡巷享像 | xiao 肖小晓孝效 | xie 谢解写
xin 辛信鑫欣新心 | xing 邢幸兴星杏型姓行 | xiong 熊兄 | xiu 修秀休 | xu 徐许胥婿需 | xuan 宣轩
xue 薛雪学 | xun 询 | yan 闫严颜晏燕鄢艳妍岩 | yang 杨阳羊洋养 | yao 姚尧 | ye 叶冶爷业页
yi 易伊衣一怡义姨以医 | yin 尹殷印银阴 | ying 应英颖 | yong 雍勇永用 | you 游尤由有友
yu 于余俞喻虞郁禹玉於尉宇雨 | yuan 袁苑原元源辕 | yue 岳乐悦月 | yun 云 | zai 再在 | zan 昝
zang 臧藏 | ze 泽 | zeng 曾 | zha 查 | zhai 翟摘 | zhan 詹战湛展 | zhang 张章长丈障
zhao 赵朝照 | zhe 浙 | zhen 甄珍振镇 | zheng 郑政正证 | zhi 支智植志侄址执指直知
zhong 钟仲忠重中种 | zhou 周州 | zhu 朱祝诸竹住 | zhuang 庄 | zhuo 卓 | zi 子梓字自资 | zong 宗
zou 邹 | zu 祖组租 | zuo 左作
"""

_WORDS = """
anhui 安徽 | aomen 澳门 | ayi 阿姨 | baba 爸爸 | beijing 北京 | benren 本人 | butie 补贴
chaoyang 朝阳 | chongqing 重庆 | dailiren 代理人 | danyuan 单元 | didi 弟弟 | dongcheng 东城
dongfang 东方 | duanmu 端木 | erxi 儿媳 | erzi 儿子 | fujian 福建 | fuqin 父亲 | gansu 甘肃
gaoling 高龄 | gege 哥哥 | gonggong 公公 | gongsun 公孙 | guangdong 广东 | guangxi 广西
guizhou 贵州 | haidian 海淀 | hainan 海南 | hebei 河北 | heilongjiang 黑龙江 | henan 河南
huangfu 皇甫 | hubei 湖北 | hukou 户口 | hunan 湖南 | hutong 胡同 | jiangsu 江苏 | jiangxi 江西
jianhuren 监护人 | jiedao 街道 | jiejie 姐姐 | jiemei 姐妹 | jilin 吉林 | jiujiu 舅舅
juzhuzheng 居住证 | laonian 老年 | liaoning 辽宁 | linghu 令狐 | linju 邻居 | mama 妈妈
meimei 妹妹 | muqin 母亲 | murong 慕容 | nainai 奶奶 | neimenggu 内蒙古 | ningxia 宁夏
nver 女儿 | nvxu 女婿 | ouyang 欧阳 | peiou 配偶 | pengyou 朋友 | popo 婆婆 | qinghai 青海
qinshu 亲属 | qizi 妻子 | shaanxi 陕西 | shandong 山东 | shangguan 上官 | shanghai 上海
shanxi 山西,陕西 | shebao 社保 | shenfenzheng 身份证 | shequ 社区 | shouji 手机 | shushu 叔叔
sichuan 四川 | sima 司马 | situ 司徒 | sunnv 孙女 | sunzi 孙子 | taiwan 台湾 | tianjin 天津
tuixiu 退休 | waigong 外公 | waipo 外婆 | waisun 外孙 | waisunnv 外孙女 | xiahou 夏侯
xianggang 香港 | xiaoqu 小区 | xicheng 西城 | xinjiang 新疆 | xiongdi 兄弟 | xizang 西藏
xuanyuan 轩辕 | yeye 爷爷 | yibao 医保 | yuchi 尉迟 | yuefu 岳父 | yuemu 岳母 | yunnan 云南
yuwen 宇文 | zhangfu 丈夫 | zhangsun 长孙 | zhejiang 浙江 | zhizi 侄子 | zhuge 诸葛 | zinv 子女
zufu 祖父 | zumu 祖母
"""


def _parse(block: str, *, words: bool) -> dict[str, tuple[str, ...]]:
    """``"zhang 张章 | zhao 赵"`` → ``{"zhang": ("张", "章"), …}``; words are comma-separated instead."""
    table: dict[str, tuple[str, ...]] = {}
    for entry in block.replace("\n", " | ").split("|"):
        if entry.strip():
            letters, _, chars = entry.strip().partition(" ")
            table[letters] = tuple(chars.split(",")) if words else tuple(chars)
    return table


#: Where the full table is (made by ``installer/make_pinyin_table.py``).
FULL_TABLE = Path(__file__).resolve().parents[2] / "kiosk" / "data" / "pinyin_table.txt"


def _load_full(path: Path) -> dict[str, str]:
    """``syllable<TAB>characters`` lines; ``#`` lines are comments."""
    table: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            syllable, _, chars = line.partition("\t")
            table[syllable] = chars
    return table


def _merge(first: dict[str, tuple[str, ...]], full: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """The hand-made list's characters first, then every other character of the full table."""
    merged: dict[str, tuple[str, ...]] = {}
    for syllable in sorted(set(first) | set(full)):
        merged[syllable] = tuple(dict.fromkeys((*first.get(syllable, ()), *full.get(syllable, ""))))
    return merged


#: syllable → characters, most likely first.
SYLLABLES: dict[str, tuple[str, ...]] = _merge(_parse(_SYLLABLES, words=False), _load_full(FULL_TABLE))
#: whole pinyin of a word → words.
WORDS: dict[str, tuple[str, ...]] = _parse(_WORDS, words=True)
_LONGEST = max(len(s) for s in SYLLABLES)


@dataclass(frozen=True)
class Candidate:
    """One choice in the candidate bar: the characters, and how many typed letters choosing it uses up."""

    text: str
    letters_used: int


def leading_syllable(letters: str) -> str:
    """The longest known syllable that ``letters`` starts with (``zhangsan`` → ``zhang``), or ``""``."""
    for size in range(min(len(letters), _LONGEST), 0, -1):
        if letters[:size] in SYLLABLES:
            return letters[:size]
    return ""


def candidates(letters: str) -> list[Candidate]:
    """What the typed letters can mean, best first.

    Whole words spelt by all the letters come first, then the characters of the leading syllable (choosing
    one leaves the rest of the letters to go on with: ``zhangsan`` → 张, then ``san`` → 三). Letters that
    only begin a syllable (``zh``) offer the characters of every syllable they begin.
    """
    letters = letters.lower()
    if not letters:
        return []
    found: list[Candidate] = [Candidate(w, len(letters)) for w in WORDS.get(letters, ())]
    head = leading_syllable(letters)
    if head:
        found += [Candidate(c, len(head)) for c in SYLLABLES[head]]
    else:
        starts = sorted((s for s in SYLLABLES if s.startswith(letters)), key=lambda s: (len(s), s))
        found += [Candidate(c, len(letters)) for s in starts for c in SYLLABLES[s]]
    unique: dict[str, Candidate] = {}
    for candidate in found:
        unique.setdefault(candidate.text, candidate)
    return list(unique.values())
