import { Button, CopyButton } from '@mantine/core';

/** Copies an object's id to the clipboard (ids are what engineers paste into tickets and the CLI). */
export function CopyIdButton({ id }: { id: string }) {
  return (
    <CopyButton value={id}>
      {({ copied, copy }) => (
        <Button size="compact-xs" variant="subtle" onClick={copy}>
          {copied ? 'Copied' : 'Copy id'}
        </Button>
      )}
    </CopyButton>
  );
}
