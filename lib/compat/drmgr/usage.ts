// drmgr usage texts (common line + the text of the command the options select).
export const DRMGR_USAGE_COMMON = 'Usage: drmgr [-w minutes] [-d detail_level] [-C | --capabilities] [-h | --help]\n';

export const DRMGR_USAGE: Record<string, string> = {
  none: '{-c {port | slot | phb | pci | mem | cpu | acc} | -m}\nFor more information on the specific options for the various\nconnector types, run drmgr -c <type> -h',
  mem: '-c mem {-a | -r} {-q <quantity> -p {variable_weight | ent_capacity} | {-q <quantity> | -s [<drc_name> | <drc_index>]}}',
  cpu: '-c cpu {-a | -r} {-q <quantity> -p {variable_weight | ent_capacity} [-s drc_name | drc_index]',
  pci: '-c pci -s <drc_name | drc_index> {-i | -a [-I] | -r [-I] | -R [-I]}',
  slot: '-c slot {-a | -r | -Q} -s <drc_name | drc_index>',
  phb: '-c phb [-Q | -r | -a] -s <drc_name | drc_index>',
  port: '-c port {-a | -r | -Q} -s drc_name',
  pmig: '-m -p {check | pre} -s <stream_id>',
  phib: '-m -p {check | pre} -s <stream_id> -n <self-arp secs>',
  acc: '-c acc -t <accelType> -q <QoS_credit_count>',
};
