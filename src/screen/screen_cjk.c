/*
 * screen_cjk.c - romanised Chinese and Korean syllables (issue #19): in a
 * short East Asian name every syllable is one character, so two names that
 * differ in one syllable are two people ("Li Wei Min" / "Li Wei Ming",
 * "Kim Jong Un" / "Kim Jong Nam"), not a typo. sn_cjk_syllables tells how
 * many syllables a token is made of; screen_sim.c refuses a fuzzy pair of
 * two such tokens of the same length in syllables.
 *
 * The syllables: every toneless Hanyu Pinyin syllable (the standard
 * syllable table) and the Korean syllables of given names and surnames as
 * McCune-Reischauer without diacritics and the Revised Romanization write
 * them (the forms designation lists use). A vowel-initial syllable counts
 * only at the start of a token, so Western names ending in a vowel after a
 * consonant syllable (mario, diana) do not parse.
 */
#include <stdlib.h>
#include <string.h>

#include "screen/screen_int.h"

static const char *const syllables[] = {
    "a", "ai", "an", "ang", "ao", "ba", "bai", "ban", "bang", "bao", "bei", "ben", "beng", "bi", "bian",
    "biao", "bie", "bin", "bing", "bo", "bok", "bu", "byung", "ca", "cai", "can", "cang", "cao", "ce", "cen",
    "ceng", "cha", "chae", "chai", "chan", "chang", "chao", "che", "chen", "cheng", "cheol", "cheon", "chi",
    "cho", "choe", "chol", "chon", "chong", "chou", "chu", "chua", "chuai", "chuan", "chuang", "chui", "chul",
    "chun", "chuo", "ci", "cong", "cou", "cu", "cuan", "cui", "cun", "cuo", "da", "dai", "dan", "dang", "dao",
    "de", "dei", "den", "deng", "di", "dian", "diao", "die", "ding", "diu", "dok", "dong", "doo", "dou", "du",
    "duan", "dui", "dun", "duo", "e", "ei", "en", "eng", "er", "eun", "fa", "fan", "fang", "fei", "fen",
    "feng", "fo", "fou", "fu", "ga", "gai", "gan", "gang", "gao", "ge", "gei", "gen", "geng", "gil", "gong",
    "gou", "gu", "gua", "guai", "guan", "guang", "gui", "guk", "gun", "guo", "gwang", "gyu", "ha", "hai",
    "hak", "han", "hang", "hao", "he", "hee", "hei", "hen", "heng", "ho", "hong", "hoon", "hou", "hu", "hua",
    "huai", "huan", "huang", "hui", "hun", "huo", "hwa", "hwan", "hyang", "hye", "hyeon", "hyo", "hyok",
    "hyon", "hyong", "hyun", "ik", "il", "in", "jae", "jeong", "ji", "jia", "jian", "jiang", "jiao", "jie",
    "jin", "jing", "jiong", "jiu", "jong", "ju", "juan", "jue", "jun", "jung", "ka", "kai", "kan", "kang",
    "kao", "ke", "ken", "keng", "ki", "kil", "kim", "kong", "kou", "ku", "kua", "kuai", "kuan", "kuang", "kui",
    "kuk", "kum", "kun", "kuo", "kwang", "kwon", "kyeong", "kyong", "kyung", "la", "lai", "lan", "lang", "lao",
    "le", "lei", "leng", "li", "lia", "lian", "liang", "liao", "lie", "lin", "ling", "liu", "long", "lou",
    "lu", "luan", "lun", "luo", "lv", "lve", "ma", "mai", "man", "mang", "mao", "me", "mei", "men", "meng",
    "mi", "mian", "miao", "mie", "min", "ming", "miu", "mo", "mou", "mu", "mun", "myeong", "myong", "na",
    "nai", "nam", "nan", "nang", "nao", "ne", "nei", "nen", "neng", "ni", "nian", "niang", "niao", "nie",
    "nin", "ning", "niu", "nong", "nou", "nu", "nuan", "nuo", "nv", "nve", "o", "ok", "ou", "pa", "pai", "pak",
    "pan", "pang", "pao", "pei", "pen", "peng", "pi", "pian", "piao", "pie", "pin", "ping", "po", "pok", "pou",
    "pu", "pyong", "qi", "qia", "qian", "qiang", "qiao", "qie", "qin", "qing", "qiong", "qiu", "qu", "quan",
    "que", "qun", "ran", "rang", "rao", "re", "ren", "reng", "ri", "rim", "ro", "rong", "rou", "ru", "ruan",
    "rui", "run", "ruo", "ryol", "ryong", "sa", "sai", "sam", "san", "sang", "sao", "se", "sen", "seng",
    "seok", "seong", "seung", "sha", "shai", "shan", "shang", "shao", "she", "shei", "shen", "sheng", "shi",
    "shou", "shu", "shua", "shuai", "shuan", "shuang", "shui", "shun", "shuo", "si", "sik", "sin", "sok",
    "son", "song", "soo", "sook", "sou", "su", "suan", "sui", "suk", "sun", "sung", "suo", "ta", "tae", "tai",
    "tan", "tang", "tao", "te", "teng", "thae", "ti", "tian", "tiao", "tie", "ting", "tok", "tong", "tou",
    "tu", "tuan", "tui", "tun", "tuo", "u", "un", "ung", "wa", "wai", "wan", "wang", "wei", "wen", "weng",
    "wo", "won", "woo", "wu", "xi", "xia", "xian", "xiang", "xiao", "xie", "xin", "xing", "xiong", "xiu", "xu",
    "xuan", "xue", "xun", "ya", "yan", "yang", "yao", "ye", "yeon", "yeong", "yi", "yin", "ying", "yo", "yol",
    "yon", "yong", "you", "young", "yu", "yuan", "yue", "yun", "za", "zai", "zan", "zang", "zao", "ze", "zei",
    "zen", "zeng", "zha", "zhai", "zhan", "zhang", "zhao", "zhe", "zhen", "zheng", "zhi", "zhong", "zhou",
    "zhu", "zhua", "zhuai", "zhuan", "zhuang", "zhui", "zhun", "zhuo", "zi", "zong", "zou", "zu", "zuan",
    "zui", "zun", "zuo",
};
#define NSYL (sizeof syllables / sizeof syllables[0])
/* Syllables per token at most (a joined given name: xiaoming, jianguo). */
#define CJK_MAX_SYL 3
#define CJK_SYL_MAX_LEN 6

typedef struct key { const char *s; size_t n; } key;

static int syl_cmp(const void *k, const void *e) {
    const key *a = k;
    const char *b = *(const char *const *)e;
    size_t bl = strlen(b);
    int c = strncmp(a->s, b, a->n < bl ? a->n : bl);
    if (c) return c;
    return a->n < bl ? -1 : a->n > bl;
}

static int is_syllable(const char *s, size_t n) {
    key k = {s, n};
    return bsearch(&k, syllables, NSYL, sizeof syllables[0], syl_cmp) != NULL;
}

static int vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

/* Fewest syllables s[i..n) splits into (0 when it does not), at most
 * left; memo of positions. */
static int parse(const char *s, size_t i, size_t n, int left) {
    if (i == n) return 0;
    if (left == 0 || (i > 0 && vowel(s[i]))) return -1;
    int best = -1;
    for (size_t l = 1; l <= CJK_SYL_MAX_LEN && i + l <= n; l++) {
        if (!is_syllable(s + i, l)) continue;
        int r = parse(s, i + l, n, left - 1);
        if (r >= 0 && (best < 0 || r + 1 < best)) best = r + 1;
    }
    return best;
}

int sn_cjk_syllables(const char *s, size_t n) {
    if (n == 0 || n > CJK_MAX_SYL * CJK_SYL_MAX_LEN) return 0;
    int r = parse(s, 0, n, CJK_MAX_SYL);
    return r > 0 ? r : 0;
}
