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
#include <pthread.h>
#include <stdint.h>
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
#define CJK_MAX_LEN (CJK_MAX_SYL * CJK_SYL_MAX_LEN)
/* Open addressing over the syllables' codes (a power of two, > 2 x NSYL).
 * This runs for every fuzzy token pair of screening (screen_sim.c): a
 * binary search with strlen per probe and a recursive parse cost 30 % of
 * the screening speed; codes and a table make a token's parse ~100 ns. */
#define CJK_SLOTS 2048u

static uint64_t table[CJK_SLOTS];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

/* A unique code of up to 6 lower-case letters: 5 bits each, then the length. */
static uint64_t code_add(uint64_t c, char ch) { return (c << 5) | (uint64_t)(ch - 'a' + 1); }

static size_t slot_of(uint64_t c) { return (size_t)((c * 0x9E3779B97F4A7C15ull) >> 53) & (CJK_SLOTS - 1); }

static void table_build(void) {
    for (size_t i = 0; i < NSYL; i++) {
        uint64_t c = 0;
        for (const char *p = syllables[i]; *p; p++) c = code_add(c, *p);
        size_t k = slot_of(c);
        while (table[k]) k = (k + 1) & (CJK_SLOTS - 1);
        table[k] = c;
    }
}

static int has_code(uint64_t c) {
    for (size_t k = slot_of(c); table[k]; k = (k + 1) & (CJK_SLOTS - 1))
        if (table[k] == c) return 1;
    return 0;
}

static int vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

int sn_cjk_syllables(const char *s, size_t n) {
    if (n == 0 || n > CJK_MAX_LEN) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'a' || s[i] > 'z') return 0;
    pthread_once(&table_once, table_build);
    /* fewest syllables of s[i..n), right to left; a vowel-initial
     * syllable only at the start */
    enum { NONE = 99 };
    unsigned char best[CJK_MAX_LEN + 1];
    best[n] = 0;
    for (size_t i = n; i-- > 0;) {
        best[i] = NONE;
        if (i > 0 && vowel(s[i])) continue;
        uint64_t c = 0;
        for (size_t l = 1; l <= CJK_SYL_MAX_LEN && i + l <= n; l++) {
            c = code_add(c, s[i + l - 1]);
            if (best[i + l] != NONE && best[i + l] + 1 < best[i] && has_code(c)) best[i] = (unsigned char)(best[i + l] + 1);
        }
    }
    return best[0] <= CJK_MAX_SYL ? best[0] : 0;
}

/* A token that can only be romanised Chinese or Korean: Pinyin's ng
 * finals, x/q/zh initials and vowel clusters, Korean's consonant + y / w
 * clusters and -ol/-ul/-ok/-uk finals. Many Spanish, Arabic and African
 * names are also sequences of Pinyin-like syllables (te-re-sa, du-ran,
 * ga-shi): without a mark the syllable rule would turn their typos and
 * ch/sh romanisations into different names (it cost 14 variants of the
 * generated Spanish set before the mark was required). */
static int cjk_marked(const char *s, size_t n) {
    static const char *const clusters[] = {"ao", "iu", "uo", "ui", "ei", "ou", "ie", "eo", "eu", "hy", "ky",
                                           "my", "py", "ry", "kw", "gw", NULL};
    static const char *const finals[] = {"ng", "ol", "ul", "ok", "uk", NULL};
    if (n >= 2 && (s[0] == 'x' || s[0] == 'q' || (s[0] == 'z' && s[1] == 'h'))) return 1;
    /* ng ends a syllable: before a consonant inside a joined name (guangfu) */
    for (size_t k = 0; k + 2 < n; k++)
        if (s[k] == 'n' && s[k + 1] == 'g' && !strchr("aeiouy", s[k + 2])) return 1;
    for (int i = 0; finals[i]; i++)
        if (n >= 2 && memcmp(s + n - 2, finals[i], 2) == 0) return 1;
    for (int i = 0; clusters[i]; i++)
        for (size_t k = 0; k + 1 < n; k++)
            if (s[k] == clusters[i][0] && s[k + 1] == clusters[i][1]) return 1;
    return 0;
}

uint8_t sn_cjk_info(const char *s, size_t n) {
    return (uint8_t)(SN_CJK_KNOWN | (cjk_marked(s, n) ? SN_CJK_MARKED : 0) | sn_cjk_syllables(s, n));
}
