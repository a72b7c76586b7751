import { buildMessage } from '../../lambda/runtime/publish';
import { advance } from '../../lambda/runtime/lifecycle';
import { DEFAULT_LIFECYCLE_SETTINGS, emptyClusterState } from '../../lambda/runtime/state';
import { SAMPLE_TOPIC_ARN, sampleReport } from './sample-report';

/**
 * The sample as an email client shows it: the subject line, then the `email` body of the first scheduled run
 * that sees the incident (a NEW alert).
 */
export function sampleAlertText(): string {
  const report = sampleReport();
  const { lifecycle } = advance(
    emptyClusterState(report.cluster),
    { window: report.window, complete: report.complete, incidents: report.incidents ?? [], findings: report.findings },
    DEFAULT_LIFECYCLE_SETTINGS,
  );
  const input = buildMessage(report, { topicArn: SAMPLE_TOPIC_ARN, minSeverity: 'medium' }, lifecycle);
  if (!input?.Message) throw new Error('the sample report produced no message');
  const body = JSON.parse(input.Message) as { email: string };
  return `Subject: ${input.Subject}\n\n${body.email}`;
}
