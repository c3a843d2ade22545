/** What each provider adapter needs from the configuration. */
export interface ModelSettings {
  apiKey: string;
  model: string;
  /** Absent: the SDK's own default endpoint. */
  baseUrl: string | undefined;
  temperature: number;
  maxTokens: number;
}
