/* Why this file exists: wasi-libc ships no <net/ethernet.h>.  libbb's
 * in_ether.c (ifconfig's hardware addresses) needs the Ethernet address's
 * length and struct; there is no Ethernet here, only the loopback. */
#ifndef OVERBOX_COMPAT_NET_ETHERNET_H
#define OVERBOX_COMPAT_NET_ETHERNET_H

#include <stdint.h>

#define ETH_ALEN       6
#define ETHER_ADDR_LEN ETH_ALEN

struct ether_addr {
	uint8_t ether_addr_octet[ETH_ALEN];
};

#endif
