// GS1 dates: YYMMDD with DD = 00 meaning the month's last day, and the century of YY chosen
// by the sliding window of the GS1 General Specifications, section 7.12.

import { gs1Invalid } from './invalid';
import type { Gs1Options } from './types';

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * The full year of a two-digit YY: if YY is 51 to 99 years ahead of the current year's last
 * two digits it is in the previous century, if 50 to 99 behind it is in the next one,
 * otherwise in the current century.
 */
export function resolveGs1Year(yy: number, now: Date = new Date()): number {
  // A caller's `now` that is no date would put NaN into every year it resolves.
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw gs1Invalid('now', 'the options.now of a GS1 date must be a valid Date');
  if (!Number.isInteger(yy) || yy < 0 || yy > 99) throw gs1Invalid('yy', 'a GS1 year YY must be an integer 0-99');
  const current = now.getUTCFullYear();
  const currentYy = current % 100;
  const difference = yy - currentYy;
  const year = current - currentYy + yy;
  if (difference >= 51) return year - 100;
  if (difference <= -50) return year + 100;
  return year;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** A GS1 YYMMDD date as ISO `YYYY-MM-DD`; DD = 00 becomes the last day of the month. */
export function parseGs1Date(yymmdd: string, field = 'date', options: Gs1Options = {}): string {
  if (typeof yymmdd !== 'string' || !/^[0-9]{6}$/.test(yymmdd)) {
    throw gs1Invalid(field, 'bad date: must be 6 digits YYMMDD');
  }
  const yy = Number(yymmdd.slice(0, 2));
  const month = Number(yymmdd.slice(2, 4));
  const day = Number(yymmdd.slice(4, 6));
  if (month < 1 || month > 12) throw gs1Invalid(field, `bad date: month ${pad(month, 2)} is not 01 to 12`);
  const year = resolveGs1Year(yy, options.now);
  const lastDay = daysInMonth(year, month);
  if (day > lastDay) {
    throw gs1Invalid(field, `bad date: day ${pad(day, 2)} does not exist in ${year}-${pad(month, 2)}`);
  }
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day === 0 ? lastDay : day, 2)}`;
}

/**
 * An ISO `YYYY-MM-DD` date as GS1 YYMMDD. A year the century window would read back as a
 * different year is refused rather than written ambiguously.
 */
export function formatGs1Date(iso: string, field = 'date', options: Gs1Options = {}): string {
  const match = typeof iso === 'string' ? /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(iso) : null;
  if (!match) throw gs1Invalid(field, 'bad date: must be an ISO date YYYY-MM-DD');
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw gs1Invalid(field, `bad date: ${iso} is not a calendar date`);
  }
  const yy = year % 100;
  if (resolveGs1Year(yy, options.now) !== year) {
    throw gs1Invalid(field, `bad date: year ${year} is outside the GS1 century window (section 7.12)`);
  }
  return `${pad(yy, 2)}${match[2]}${match[3]}`;
}
