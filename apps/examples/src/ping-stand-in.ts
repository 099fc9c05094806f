// A Node stand-in for ping, for machines without it: the same kind of lines, one reply per
// interval, then the statistics. Nothing goes over the network.

// Runs in the child, from its source: `node -e "(<source>)(...process.argv.slice(1))" ...`.
function curioPingStandIn(host: string, count: string, seconds: string): void {
  console.log(`PING ${host} (${host}) 56(84) bytes of data.`);
  let seq = 0;
  const reply = (): void => {
    seq += 1;
    console.log(`64 bytes from ${host}: icmp_seq=${seq} ttl=64 time=0.05 ms`);
    if (seq < Number(count)) {
      setTimeout(reply, Number(seconds) * 1000);
      return;
    }
    console.log(`--- ${host} ping statistics ---`);
    console.log(`${count} packets transmitted, ${count} received, 0% packet loss`);
  };
  reply();
}

/**
 * The command that runs the stand-in: like `ping -c count -i seconds host`, `count` replies
 * `seconds` apart, with the node running this program.
 * @example
 * new Popen(pingStandIn('127.0.0.1', 3, 0.2), { stdout: PIPE });
 */
export function pingStandIn(host: string, count: number, seconds: number): string[] {
  const script = `(${curioPingStandIn.toString()})(...process.argv.slice(1))`;
  return [process.execPath, '-e', script, host, String(count), String(seconds)];
}
