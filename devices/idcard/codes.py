"""Code tables the card stores instead of words: gender (GB/T 2261.1), ethnic group (GB/T 3304),
nationality (GB/T 2659, the three-letter codes, for the common ones).

Unknown codes are shown as the code itself rather than guessed, so a new code on a future card is visible
rather than silently wrong.
"""

from __future__ import annotations

#: 性别代码 (GB/T 2261.1-2003).
GENDERS: dict[str, str] = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}

#: 民族代码 (GB/T 3304-1991): the 56 ethnic groups, 97 其他, 98 外国血统中国籍人士.
ETHNIC_GROUPS: dict[str, str] = {
    "01": "汉", "02": "蒙古", "03": "回", "04": "藏", "05": "维吾尔", "06": "苗", "07": "彝", "08": "壮",
    "09": "布依", "10": "朝鲜", "11": "满", "12": "侗", "13": "瑶", "14": "白", "15": "土家", "16": "哈尼",
    "17": "哈萨克", "18": "傣", "19": "黎", "20": "傈僳", "21": "佤", "22": "畲", "23": "高山", "24": "拉祜",
    "25": "水", "26": "东乡", "27": "纳西", "28": "景颇", "29": "柯尔克孜", "30": "土", "31": "达斡尔",
    "32": "仫佬", "33": "羌", "34": "布朗", "35": "撒拉", "36": "毛南", "37": "仡佬", "38": "锡伯",
    "39": "阿昌", "40": "普米", "41": "塔吉克", "42": "怒", "43": "乌孜别克", "44": "俄罗斯", "45": "鄂温克",
    "46": "德昂", "47": "保安", "48": "裕固", "49": "京", "50": "塔塔尔", "51": "独龙", "52": "鄂伦春",
    "53": "赫哲", "54": "门巴", "55": "珞巴", "56": "基诺", "97": "其他", "98": "外国血统",
}

#: 国籍代码 (GB/T 2659-2000, alpha-3), the ones a service hall meets most.
NATIONALITIES: dict[str, str] = {
    "CHN": "中国", "HKG": "中国香港", "MAC": "中国澳门", "TWN": "中国台湾",
    "USA": "美国", "GBR": "英国", "JPN": "日本", "KOR": "韩国", "PRK": "朝鲜", "RUS": "俄罗斯",
    "DEU": "德国", "FRA": "法国", "ITA": "意大利", "ESP": "西班牙", "PRT": "葡萄牙", "NLD": "荷兰",
    "BEL": "比利时", "CHE": "瑞士", "AUT": "奥地利", "SWE": "瑞典", "NOR": "挪威", "DNK": "丹麦",
    "FIN": "芬兰", "IRL": "爱尔兰", "POL": "波兰", "UKR": "乌克兰", "GRC": "希腊", "TUR": "土耳其",
    "CAN": "加拿大", "MEX": "墨西哥", "BRA": "巴西", "ARG": "阿根廷", "CHL": "智利", "PER": "秘鲁",
    "AUS": "澳大利亚", "NZL": "新西兰", "SGP": "新加坡", "MYS": "马来西亚", "THA": "泰国", "VNM": "越南",
    "LAO": "老挝", "KHM": "柬埔寨", "MMR": "缅甸", "PHL": "菲律宾", "IDN": "印度尼西亚", "IND": "印度",
    "PAK": "巴基斯坦", "BGD": "孟加拉国", "NPL": "尼泊尔", "LKA": "斯里兰卡", "MNG": "蒙古",
    "KAZ": "哈萨克斯坦", "UZB": "乌兹别克斯坦", "KGZ": "吉尔吉斯斯坦", "IRN": "伊朗", "ISR": "以色列",
    "SAU": "沙特阿拉伯", "ARE": "阿拉伯联合酋长国", "EGY": "埃及", "ZAF": "南非", "NGA": "尼日利亚",
    "KEN": "肯尼亚", "ETH": "埃塞俄比亚",
}


def gender_name(code: str) -> str:
    return GENDERS.get(code, code)


def ethnic_name(code: str) -> str:
    return ETHNIC_GROUPS.get(code.zfill(2) if code.isdigit() else code, code)


def nationality_name(code: str) -> str:
    return NATIONALITIES.get(code.upper(), code)
