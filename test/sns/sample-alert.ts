import { buildMessage } from '../../lambda/runtime/publish';
import { SAMPLE_TOPIC_ARN, sampleReport } from './sample-report';

/** The sample as an email client shows it: the subject line, then the `email` body. */
export function sampleAlertText(): string {
  const input = buildMessage(sampleReport(), { topicArn: SAMPLE_TOPIC_ARN, minSeverity: 'medium' });
  if (!input?.Message) throw new Error('the sample report produced no message');
  const body = JSON.parse(input.Message) as { email: string };
  return `Subject: ${input.Subject}\n\n${body.email}`;
}
