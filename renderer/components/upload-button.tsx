/**
 * A button that works on a file the user picks (`MmApi.upload`): in the desktop app the main
 * process asks with its open dialog; in a browser the page's file input picks it and the file is
 * sent as it is — its bytes are never read into the page.
 */
import { Button, type ButtonProps, FileButton } from '@mantine/core';
import { useState } from 'react';
import type { UploadChannel, UploadRequest, UploadResult } from '../../shared/contract';
import type { Result } from '../../shared/result';
import { api, picksFilesItself } from '../api';

export function UploadButton<C extends UploadChannel>(
  props: {
    channel: C;
    request: UploadRequest<C>;
    /** The file input's filter, e.g. ".mmreview,application/gzip". */
    accept: string;
    label: string;
    onDone: (result: Result<UploadResult<C>>) => void;
  } & Pick<ButtonProps, 'variant'>,
) {
  const [busy, setBusy] = useState(false);
  const upload = async (file?: File | null): Promise<void> => {
    if (file === null) return;
    setBusy(true);
    try {
      props.onDone(await api.upload(props.channel, props.request, file));
    } finally {
      setBusy(false);
    }
  };
  if (picksFilesItself)
    return (
      <Button variant={props.variant ?? 'default'} loading={busy} onClick={() => void upload()}>
        {props.label}
      </Button>
    );
  return (
    <FileButton onChange={(f) => void upload(f)} accept={props.accept}>
      {(p) => (
        <Button variant={props.variant ?? 'default'} loading={busy} {...p}>
          {props.label}
        </Button>
      )}
    </FileButton>
  );
}
