// English and Chinese for every page. A page passes its dictionaries; the
// language comes from ?lang=, then the saved choice, then the browser's.
// `t(key, vars)` fills {name} placeholders; a missing key shows the key itself
// (the i18n test checks both dictionaries have the same keys).

export type Lang = 'en' | 'zh';
export const LANGS: readonly Lang[] = ['en', 'zh'];
export type Dictionary = Record<string, string>;

const STORAGE_KEY = 'medtrace.lang';

export interface I18n {
  lang: Lang;
  t(key: string, vars?: Record<string, string | number>): string;
  setLang(lang: Lang): void;
  /** A date or time in the current language. */
  date(iso: string, withTime?: boolean): string;
  number(value: number): string;
}

export function pickLang(): Lang {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  if (fromUrl === 'en' || fromUrl === 'zh') return fromUrl;
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'zh') return saved;
  } catch {
    // storage may be blocked: fall through to the browser's language
  }
  return (navigator.languages ?? [navigator.language]).some((l) => l.toLowerCase().startsWith('zh')) ? 'zh' : 'en';
}

export function createI18n(dictionaries: Record<Lang, Dictionary>, onChange?: (lang: Lang) => void): I18n {
  const i18n: I18n = {
    lang: pickLang(),
    t(key, vars) {
      const text = dictionaries[i18n.lang][key] ?? dictionaries.en[key] ?? key;
      return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
    },
    setLang(lang) {
      i18n.lang = lang;
      try {
        localStorage.setItem(STORAGE_KEY, lang);
      } catch {
        // not saved; the choice holds for this page
      }
      document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
      onChange?.(lang);
    },
    date(iso, withTime = false) {
      const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
      if (Number.isNaN(d.getTime())) return iso;
      const locale = i18n.lang === 'zh' ? 'zh-CN' : 'en-GB';
      return withTime
        ? d.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'medium' })
        : d.toLocaleDateString(locale, { dateStyle: 'medium', timeZone: iso.length === 10 ? 'UTC' : undefined });
    },
    number(value) {
      return value.toLocaleString(i18n.lang === 'zh' ? 'zh-CN' : 'en-US');
    },
  };
  document.documentElement.lang = i18n.lang === 'zh' ? 'zh-CN' : 'en';
  return i18n;
}
