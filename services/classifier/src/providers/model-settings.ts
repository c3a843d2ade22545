/** What each provider adapter needs from the configuration. */
export interface ModelSettings {
  apiKey: string;
  model: string;
  /** Absent: the SDK's own default endpoint. */
  baseUrl: string | undefined;
  temperature: number;
  maxTokens: number;
  /** Gemini only: GEMINI_THINKING_BUDGET (unset: the default of `geminiThinkingConfig`). */
  thinkingBudget?: number;
}
