// Realistic Chinese personal names for the demo district, written in Han characters only (no pinyin): the
// operators' console shows names exactly as a 居委会 register would.
//
// Given names follow the fashions of the birth year, because an operator reading "王桂英" and "王梓涵" at
// once knows which is the 88-year-old and which the granddaughter; the demo should feel the same.

import type { Random } from './random.ts'

export type NameGender = 'female' | 'male'

/**
 * Common surnames weighted by share of the population (per cent, roughly the 2020 census ranking), with the
 * surnames typical of old Shanghai families (徐 朱 沈 陆 顾 钱 施 蒋 金 俞 倪) nudged up, since the residents of
 * a Jing'an lane are mostly Shanghainese.
 */
const SURNAMES: ReadonlyArray<readonly [string, number]> = [
  ['王', 7.1], ['李', 6.5], ['张', 7.0], ['刘', 4.6], ['陈', 5.8], ['杨', 3.0], ['黄', 2.4], ['赵', 2.0],
  ['吴', 2.3], ['周', 2.2], ['徐', 2.4], ['孙', 1.5], ['马', 1.2], ['朱', 2.0], ['胡', 1.3], ['郭', 1.0],
  ['何', 1.0], ['林', 1.1], ['高', 1.1], ['罗', 0.8], ['郑', 0.9], ['梁', 0.7], ['谢', 0.8], ['宋', 0.7],
  ['唐', 0.7], ['许', 0.8], ['韩', 0.6], ['冯', 0.6], ['邓', 0.5], ['曹', 0.7], ['彭', 0.5], ['曾', 0.4],
  ['肖', 0.5], ['田', 0.4], ['董', 0.5], ['袁', 0.5], ['潘', 0.6], ['于', 0.4], ['蒋', 0.8], ['蔡', 0.6],
  ['余', 0.4], ['杜', 0.4], ['叶', 0.5], ['程', 0.4], ['苏', 0.4], ['魏', 0.4], ['吕', 0.4], ['丁', 0.5],
  ['任', 0.3], ['沈', 1.3], ['姚', 0.6], ['卢', 0.4], ['姜', 0.4], ['崔', 0.2], ['钟', 0.3], ['谭', 0.3],
  ['陆', 1.2], ['汪', 0.5], ['范', 0.4], ['金', 0.7], ['石', 0.3], ['廖', 0.2], ['贾', 0.2], ['夏', 0.4],
  ['顾', 1.1], ['钱', 0.7], ['施', 0.6], ['俞', 0.5], ['倪', 0.4], ['严', 0.4], ['戴', 0.4], ['龚', 0.3],
  ['汤', 0.3], ['秦', 0.3], ['方', 0.4], ['孔', 0.2], ['邵', 0.3], ['毛', 0.3], ['欧阳', 0.05], ['司马', 0.01],
]

/** Given names of one birth cohort, split by gender. */
interface Cohort {
  readonly female: readonly string[]
  readonly male: readonly string[]
  /** How often a one-character given name is used in this cohort. */
  readonly singleShare: number
  readonly femaleSingle: readonly string[]
  readonly maleSingle: readonly string[]
}

// Born before 1950: names of the Republic era, including the Shanghai -娣 names (招娣, 根娣) and -根/-生/-宝
// names for boys that are everywhere in the lane registers of the old city.
const BORN_BEFORE_1950: Cohort = {
  female: [
    '桂英', '秀英', '淑珍', '玉兰', '凤英', '秀兰', '桂兰', '玉珍', '桂珍', '素珍', '凤珍', '秀珍', '月英',
    '菊英', '金娣', '根娣', '招娣', '彩娣', '杏娣', '宝娣', '翠英', '美英', '巧英', '素英', '惠英', '佩珍',
    '婉珍', '凤仙', '金凤', '彩凤', '秀凤', '玉梅', '雪英', '兰英', '爱珍',
  ],
  male: [
    '德明', '德福', '福生', '根宝', '金根', '根生', '海生', '荣根', '永康', '永昌', '文华', '志明', '玉林',
    '正华', '德华', '宝华', '福根', '长根', '庆华', '学文', '锦华', '耀祖', '树德', '炳坤', '金海', '瑞林',
    '伯年', '守仁', '国梁', '鸿生', '祥生', '德兴', '云龙',
  ],
  singleShare: 0.08,
  femaleSingle: ['英', '珍', '兰', '娟', '梅', '芬'],
  maleSingle: ['明', '林', '华', '福', '昌', '荣'],
}

// Born 1950-1966: the early People's Republic, when names carried the country (建国, 国华) and the times.
const BORN_1950_1966: Cohort = {
  female: [
    '秀芳', '美华', '丽华', '爱华', '红英', '秀琴', '桂芳', '惠芬', '惠珍', '雅琴', '美娟', '秀娟', '亚芬',
    '丽娟', '玉芳', '文娟', '凤琴', '国英', '建英', '淑华', '玉华', '秀云', '美玲', '月华', '慧珍', '静芳',
    '桂英', '秀英', '玉兰', '凤英', '菊芬', '红梅',
  ],
  male: [
    '建国', '国华', '志强', '振华', '国强', '建华', '卫国', '国平', '国庆', '建平', '建民', '振国', '志刚',
    '明华', '永强', '立新', '新民', '建设', '和平', '德明', '文忠', '海龙', '金龙', '荣华', '伟民', '庆丰',
  ],
  singleShare: 0.12,
  femaleSingle: ['萍', '敏', '琴', '芳', '华', '英'],
  maleSingle: ['强', '军', '平', '伟', '勇', '明', '斌'],
}

const BORN_1967_1979: Cohort = {
  female: [
    '红梅', '丽萍', '海燕', '晓红', '美玲', '雪梅', '卫红', '红霞', '建英', '丽华', '晓燕', '秀梅', '春燕',
    '玉萍', '文静', '丽君', '晓梅', '燕萍',
  ],
  male: [
    '建军', '卫东', '志刚', '海涛', '建华', '红兵', '立军', '国栋', '建伟', '卫星', '晓明', '振宇', '建平',
    '永红', '海峰', '志勇',
  ],
  singleShare: 0.35,
  femaleSingle: ['丽', '燕', '敏', '静', '萍', '芳', '红', '霞', '英', '颖'],
  maleSingle: ['伟', '勇', '军', '强', '明', '斌', '峰', '刚', '杰', '华'],
}

const BORN_1980_1989: Cohort = {
  female: [
    '丽娜', '婷婷', '晓燕', '晓雯', '慧敏', '佳佳', '海燕', '雪莹', '文婷', '晓婷', '倩倩', '静怡', '丽娟',
    '晓丹', '佳颖', '敏洁',
  ],
  male: [
    '俊杰', '晓东', '文杰', '志伟', '嘉伟', '海涛', '晓峰', '建波', '俊伟', '立伟', '晨晖', '浩杰', '伟杰',
    '家俊', '一鸣',
  ],
  singleShare: 0.4,
  femaleSingle: ['静', '颖', '佳', '倩', '莉', '燕', '晶', '雯', '丹', '洁', '琳', '蕾', '婷'],
  maleSingle: ['磊', '超', '鹏', '杰', '浩', '俊', '伟', '涛', '晨', '斌', '亮', '剑', '峰', '骏'],
}

const BORN_1990_ON: Cohort = {
  female: [
    '思琪', '雨婷', '佳怡', '欣怡', '诗雨', '梦瑶', '雅婷', '嘉怡', '诗怡', '晨曦', '心怡', '思敏', '雨萱',
    '梓涵', '可欣', '紫琪', '佳琪', '文静',
  ],
  male: [
    '浩然', '子豪', '俊豪', '天宇', '晨阳', '宇轩', '子轩', '浩宇', '一鸣', '俊杰', '家豪', '文博', '逸飞',
    '嘉豪', '思远', '子健',
  ],
  singleShare: 0.25,
  femaleSingle: ['婧', '怡', '悦', '雯', '菲', '琪', '萱', '璐'],
  maleSingle: ['宇', '博', '泽', '昊', '轩', '睿', '航', '凯'],
}

/** Names that mark one moment in history; a few children of exactly those years got them. */
const ERA_NAMES: ReadonlyArray<{ name: string; gender: NameGender; from: number; to: number }> = [
  { name: '胜利', gender: 'male', from: 1945, to: 1946 },
  { name: '解放', gender: 'male', from: 1949, to: 1950 },
  { name: '援朝', gender: 'male', from: 1950, to: 1953 },
  { name: '抗美', gender: 'male', from: 1950, to: 1953 },
  { name: '跃进', gender: 'male', from: 1958, to: 1960 },
  { name: '卫东', gender: 'male', from: 1966, to: 1970 },
  { name: '卫红', gender: 'female', from: 1966, to: 1971 },
  { name: '红卫', gender: 'male', from: 1966, to: 1968 },
]

const ERA_NAME_SHARE = 0.1

function cohortOf(birthYear: number): Cohort {
  if (birthYear < 1950) return BORN_BEFORE_1950
  if (birthYear <= 1966) return BORN_1950_1966
  if (birthYear <= 1979) return BORN_1967_1979
  if (birthYear <= 1989) return BORN_1980_1989
  return BORN_1990_ON
}

export function surname(rng: Random): string {
  return rng.weightedPick(SURNAMES)
}

/** A given name (one or two characters) fitting someone of this gender born in this year. */
export function givenName(rng: Random, gender: NameGender, birthYear: number): string {
  const eraNames = ERA_NAMES.filter((e) => e.gender === gender && birthYear >= e.from && birthYear <= e.to)
  if (eraNames.length > 0 && rng.chance(ERA_NAME_SHARE)) return rng.pick(eraNames).name
  const cohort = cohortOf(birthYear)
  if (rng.chance(cohort.singleShare)) return rng.pick(gender === 'female' ? cohort.femaleSingle : cohort.maleSingle)
  return rng.pick(gender === 'female' ? cohort.female : cohort.male)
}

/**
 * A full name, surname first. Pass `familyName` when the surname is fixed by kinship (a son carries his
 * father's surname; a married woman keeps her own, so her children usually carry her husband's).
 */
export function fullName(rng: Random, gender: NameGender, birthYear: number, familyName?: string): string {
  return (familyName ?? surname(rng)) + givenName(rng, gender, birthYear)
}

/** The surname part of a full name built by this module (two-character surnames included). */
export function surnameOf(name: string): string {
  for (const [candidate] of SURNAMES) {
    if (candidate.length === 2 && name.startsWith(candidate)) return candidate
  }
  return name.slice(0, 1)
}
