import type { LoggerService } from '@nestjs/common';

export interface LogLine {
  level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  message: string;
}

/**
 * A Nest logger that keeps every line (Nest's logger is process-wide: every app of the suite writes here).
 * Errors and warnings are printed too, except those matching `quiet` (the ones a suite provokes on purpose).
 */
export class CapturingLogger implements LoggerService {
  readonly lines: LogLine[] = [];

  constructor(private readonly quiet: RegExp = /$^/) {}

  log = (message: unknown) => this.keep('log', message);
  warn = (message: unknown, ...rest: unknown[]) => this.keep('warn', message, rest);
  error = (message: unknown, ...rest: unknown[]) => this.keep('error', message, rest);
  debug = (message: unknown) => this.keep('debug', message);
  verbose = (message: unknown) => this.keep('verbose', message);
  fatal = (message: unknown, ...rest: unknown[]) => this.keep('fatal', message, rest);

  matching(level: LogLine['level'], pattern: RegExp): string[] {
    return this.lines.filter((line) => line.level === level && pattern.test(line.message)).map((line) => line.message);
  }

  private keep(level: LogLine['level'], message: unknown, rest: unknown[] = []): void {
    const text = message instanceof Error ? (message.stack ?? message.message) : String(message);
    this.lines.push({ level, message: text });
    if ((level === 'error' || level === 'warn' || level === 'fatal') && !this.quiet.test(text)) {
      console.error(`[${level}] ${text}`, ...rest.filter((part) => typeof part === 'string' && part !== text));
    }
  }
}
